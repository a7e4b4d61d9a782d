"""What the benchmark scripts share: a subset of the Imagenette folder and a description of the machine."""
import datetime, platform, subprocess
from pathlib import Path
import torch

ROOT = Path(__file__).resolve().parent.parent

def subset(src, dst, per_class, valid_per_class):
    "Symlink the first files of each class into a fastai folder layout"
    for split, n in (('train', per_class), ('val', valid_per_class)):
        for cls in sorted((src/split).iterdir()):
            (dst/split/cls.name).mkdir(parents=True, exist_ok=True)
            for f in sorted(cls.iterdir())[:n]: (dst/split/cls.name/f.name).symlink_to(f.resolve())
    return dst

def machine()->dict:
    "CPU, threads, GPU, versions, date and git commit, for a results file"
    import fastai, fastcore
    commit = subprocess.run(['git', 'rev-parse', 'HEAD'], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    info = Path('/proc/cpuinfo')
    cpu = next((l.split(':', 1)[1].strip() for l in info.read_text().splitlines() if l.startswith('model name')), None) if info.exists() else None
    return dict(platform=platform.platform(), cpu=cpu or platform.processor() or platform.machine(), threads=torch.get_num_threads(),
                gpu=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None, torch=torch.__version__,
                fastai=fastai.__version__, fastcore=fastcore.__version__, python=platform.python_version(),
                date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'), commit=commit)

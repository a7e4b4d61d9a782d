"""What the benchmark scripts share: a subset of the Imagenette folder and a description of the machine."""
import datetime, platform, subprocess, time
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

def data_args(ap, per_class:int, valid_per_class:int, bs:int=32):
    "The arguments every script takes: the data folder, how many images of each class, batch size, results folder"
    ap.add_argument('--data', default=str(ROOT.parent/'shared'/'data'/'imagenette2-224-subset'))
    ap.add_argument('--per_class', type=int, default=per_class)
    ap.add_argument('--valid_per_class', type=int, default=valid_per_class)
    ap.add_argument('--bs', type=int, default=bs)
    ap.add_argument('--out', default=str(ROOT/'benchmarks'/'results'))
    return ap

def presized_dls(path, size:int, bs:int, seed:int=0, workers:int=0):
    "fastbook's presizing: Resize(1.25 x size) on the items, aug_transforms(size, min_scale=0.75) + Normalize on the batch"
    from fastai.vision.all import ImageDataLoaders, Resize, aug_transforms, Normalize, imagenet_stats
    return ImageDataLoaders.from_folder(path, train='train', valid='val', bs=bs, num_workers=workers, seed=seed,
                                       item_tfms=Resize(round(size * 1.25)),
                                       batch_tfms=[*aug_transforms(size=size, min_scale=0.75), Normalize.from_stats(*imagenet_stats)])

def train_time_cb():
    "A fastai callback counting the seconds spent in training epochs (loading included, validation excluded) in `.seconds`"
    from fastai.callback.core import Callback
    class TrainTime(Callback):
        order = 100
        def before_fit(self): self.seconds = 0.
        def before_train(self): self.t0 = time.perf_counter()
        def after_train(self): self.seconds += time.perf_counter() - self.t0
    return TrainTime()

def stats(xs)->dict:
    "Mean, sample sd, min and max of `xs` (4 places), for a results table over seeds"
    import statistics
    return dict(mean=round(statistics.mean(xs), 4), sd=round(statistics.stdev(xs), 4) if len(xs) > 1 else 0., min=min(xs), max=max(xs))

def mean_curve(runs)->tuple:
    "Epoch by epoch over `runs` (one per seed): mean time, mean accuracy and its sd over the runs that reached that epoch"
    t, m, sd = [], [], []
    for k in range(max(len(r['accuracies']) for r in runs)):
        rs = [r for r in runs if len(r['accuracies']) > k]
        acc = stats([r['accuracies'][k] for r in rs])
        t.append(stats([r['times'][k] for r in rs])['mean']); m.append(acc['mean']); sd.append(acc['sd'])
    return t, m, sd

def plot_accuracy_runs(runs, methods, seeds, size, path):
    "Validation accuracy against wall-clock time: per method (a colour each, in `methods` order) the mean over seeds and a ± sd band"
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for i, m in enumerate(methods):
        rs = [r for r in runs if r['method'] == m]
        if not rs: continue
        t, mean, sd = mean_curve(rs)
        ax.plot(t, mean, '-', color=f'C{i}', marker='.', label=m)
        ax.fill_between(t, [a - d for a, d in zip(mean, sd)], [a + d for a, d in zip(mean, sd)], color=f'C{i}', alpha=0.15)
    ax.set_xlabel('wall-clock time (s)'); ax.set_ylabel('validation accuracy'); ax.grid(alpha=0.3); ax.legend(fontsize=8)
    ax.set_title(f"Equal wall-clock: xresnet18 at {size} px, mean and ± sd over {len(seeds)} seeds", fontsize=10)
    fig.tight_layout(); fig.savefig(path, dpi=110)

def results_header(title, m, a, seeds, budget_note='')->list:
    "The first lines of a quality results table: title, machine, and the training set-up"
    return [f'# {title}', '',
            f"{m['cpu']}, {m['threads']} threads, GPU: {m['gpu'] or 'none'}; torch {m['torch']}, fastai {m['fastai']}; {m['date']}, commit {m['commit'][:10]}.",
            f"xresnet18 from scratch, {a.per_class * 10} training / {a.valid_per_class * 10} validation images at {a.size} px (presizing), bs {a.bs}, "
            f"lr {a.lr}, seeds {seeds}.{budget_note} Accuracy: mean ± sd over seeds (min-max); time includes validation.", '']

def final_metric(learn, name:str='accuracy')->float:
    "The last epoch's value of the metric `name` in `learn.recorder` (its columns follow `metric_names`, less 'epoch')"
    return float(learn.recorder.values[-1][learn.recorder.metric_names.index(name) - 1])

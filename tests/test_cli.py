"The demo command from the README, as a user runs it."
import shutil, subprocess, sys
from pathlib import Path

def test_demo_command(tmp_path):
    exe = shutil.which('progressive_fastai_demo', path=str(Path(sys.executable).parent))
    assert exe, 'console script progressive_fastai_demo is not installed'
    r = subprocess.run([exe, '--epochs', '5', '--size', '64', '--bs', '8', '--images', '16', '--arch', 'tiny', '--out', str(tmp_path)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    out = r.stdout
    assert 'ProgressiveResize: 32x32 -> 64x64 px' in out
    assert 'training sizes per epoch: e0:64, e1:64, e2:64, e3:64, e4:64' in out       # the baseline
    assert 'training sizes per epoch: e0:32' in out and 'e4:64\n' in out                # progressive: 32 first, 64 last
    assert out.count('validation size: [(64, 64)]') == 2                                # both validate at full size
    assert 'faster than full size for the same 5 epochs' in out
    for f in ('size_schedule.png', 'progression.png'):
        assert (tmp_path/f).stat().st_size > 5000

def test_demo_help():
    exe = shutil.which('progressive_fastai_demo', path=str(Path(sys.executable).parent))
    r = subprocess.run([exe, '--help'], capture_output=True, text=True)
    assert r.returncode == 0 and '--epochs' in r.stdout and 'synthetic' in r.stdout

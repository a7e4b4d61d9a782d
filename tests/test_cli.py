"The main job's command line as a user runs it: `progressive-fastai train`, its --help, and bad input."
import json, shutil, subprocess, sys
from pathlib import Path
import pytest

def _exe():
    exe = shutil.which('progressive-fastai', path=str(Path(sys.executable).parent))
    assert exe, 'console script progressive-fastai is not installed'
    return exe

def _run(*args, timeout=900):
    return subprocess.run([_exe(), *map(str, args)], capture_output=True, text=True, timeout=timeout)

def test_train_compare_equal_time(tmp_path):
    "A short built-in run: plan first, all three runs, the table, the plot, the JSON"
    r = _run('train', '--epochs', '3', '--images', '20', '--bs', '16', '--compare', '--equal-time', '--out', tmp_path/'out')
    assert r.returncode == 0, r.stderr[-3000:]
    out = r.stdout
    assert out.index('Plan, ProgressiveResize') < out.index('== progressive (3 epochs)') < out.index('== full size (3 epochs)')
    assert '32x32 px from epoch 0.00' in out and 'ideal speedup' in out
    assert '| run | epochs | wall time | time/epoch | accuracy | measured speedup | ideal speedup | epochs chosen |' in out
    # the equal-time run's epochs, as the line before it says: what fit by the timed steps (at least full size's 3), or,
    # when the timing was inconsistent (a busy machine), exactly as many as full size
    import re
    said = re.search(r"^  (\d+) progressive epochs: (fit in|as many as full size)", out, re.M)
    assert said, out[-3000:]
    n = int(said.group(1))
    assert f'== progressive, equal time ({n} epochs)' in out and f'| progressive, equal time | {n} |' in out
    assert n >= 3 if said.group(2) == 'fit in' else n == 3
    # stdout is a pipe here, as in a log file: one line per epoch, no progress-bar frames
    assert '█' not in out and '|----' not in out, out[-2000:]
    assert out.count('epoch 1/') == 3 and out.count('epoch 3/3: ') >= 2 and 'accuracy' in out   # three runs
    res = json.loads((tmp_path/'out'/'results.json').read_text())
    assert set(res['runs']) == {'progressive', 'full size', 'progressive, equal time'}
    assert res['runs']['progressive']['sizes'][0] == [32, 32] and res['runs']['progressive']['sizes'][-1] == [64, 64]
    assert (tmp_path/'out'/'compare.png').stat().st_size > 10000

def test_builtin_default_learns(tmp_path):
    "The README's main job at its defaults (built-in textures, 8 epochs): the progressive run must reach 85% accuracy"
    from progressive_fastai.cli import train
    res = train(quiet=True, out=str(tmp_path/'out'))
    acc = res['runs']['progressive']['accuracy']
    assert acc >= 0.85, f"the default progressive run reached {acc:.3f} (full size reaches about 0.99 here): the library does not train as it should"
    assert res['runs']['progressive']['sizes'][0] == [32, 32] and res['runs']['progressive']['sizes'][-1] == [64, 64]

def test_train_dataloaders_on_a_folder(tmp_path):
    "--data on a fastai-style folder (val/ spelling), --method dataloaders"
    from progressive_fastai.testing import make_image_folder
    data = make_image_folder(tmp_path/'d', size=64, n_train=8, n_valid=4)
    (data/'valid').rename(data/'val')
    r = _run('train', '--data', data, '--size', '48', '--epochs', '2', '--bs', '8', '--method', 'dataloaders')
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'Plan, fit_progressive (DataLoaders rebuilt per size): 32x32 -> 48x48 px' in r.stdout   # 24 rounds up to a multiple of 16
    assert 'progressive: 2 epochs' in r.stdout

def test_help_reads_well():
    r = _run('train', '--help')
    assert r.returncode == 0
    for opt in ('--data', '--arch', '--size', '--epochs', '--lr', '--bs', '--mode', '--method', '--initial-scale',
                '--finetune-fraction', '--workers', '--seed', '--out', '--compare', '--equal-time'):
        assert opt in r.stdout, opt
    assert 'built-in texture dataset' in r.stdout

@pytest.mark.parametrize('args,msg', [
    (['--data', '/no/such/folder'], 'no such folder'),
    (['--data', '{empty}'], 'needs a train/ folder and a valid/ (or val/) folder'),
    (['--arch', 'vgg16'], "invalid choice: 'vgg16'"),
    (['--size', '16'], '--size 16 is smaller than the schedule allows'),
    (['--epochs', 'many'], "--epochs must be a whole number; got 'many'"),
    (['--lr', 'fast'], "--lr must be a number; got 'fast'"),
    (['--initial-scale', '2'], '--initial-scale must be in (0, 1]'),
    (['--method', 'dataloaders', '--mode', 'crop'], '--mode crop applies to --method resize'),
])
def test_bad_input_one_line_exit_2(tmp_path, args, msg):
    (tmp_path/'empty').mkdir()
    r = _run('train', *[a.format(empty=tmp_path/'empty') for a in args], '--epochs' if '--epochs' not in args else '--seed', '1')
    assert r.returncode == 2, (r.returncode, r.stdout[-500:], r.stderr[-2000:])
    lines = [l for l in r.stderr.splitlines() if l.strip() and 'Warning' not in l and 'warnings.warn' not in l]
    assert len(lines) == 1 and msg in lines[0], r.stderr
    assert 'Traceback' not in r.stderr

def _record(epochs, seconds, valid_seconds):
    return dict(epochs=epochs, seconds=seconds, valid_seconds=valid_seconds)

def test_equal_time_epochs_from_injected_step_times():
    "The equal-time epochs from given step times (no clock read): calibrated on the full-size run, never a crash"
    import argparse
    from progressive_fastai.cli import _equal_time_epochs
    from progressive_fastai.budget import StepTimes, epochs_for_budget
    args = argparse.Namespace(size=64, epochs=4, initial_scale=0.5, finetune_fraction=0.2)
    pixels = StepTimes({(s, s): (s / 64) ** 2 for s in (32, 48, 64)})       # step time proportional to pixels
    full = _record(4, 4 * 10 * 1.0 + 4 * 0.5, 0.5)                          # 10 steps of 1 s per epoch, 0.5 s validation
    n, predicted, why = _equal_time_epochs(args, pixels, full, n_iter=10)
    assert n == epochs_for_budget(pixels, 10, 64, seconds=42., valid_time=0.5)['epochs'] and n > 4 and predicted <= 42
    assert why.startswith('fit in 42 s')
    # the same machine twice as busy while timing: every timed step twice as slow. The calibration on the real run cancels it
    assert _equal_time_epochs(args, StepTimes({k: 2 * v for k, v in pixels.items()}), full, n_iter=10)[0] == n
    # small steps timed slower than full ones (a burst of load): not fewer epochs than full size, and the reason said
    n, predicted, why = _equal_time_epochs(args, StepTimes({(32, 32): 9., (48, 48): 9., (64, 64): 1.}), full, n_iter=10)
    assert (n, predicted) == (4, None) and why.startswith('as many as full size: the step timing was inconsistent')

def test_train_equal_time_never_crashes_on_a_budget(monkeypatch):
    "Step times that leave no room for an epoch: the main job falls back to the full-size epochs and says so in one line"
    import contextlib, io
    import progressive_fastai.cli as cli
    from progressive_fastai.budget import StepTimes
    monkeypatch.setattr(cli, 'measure_step_times', lambda learn, sizes, **kw: StepTimes({tuple(s): 1. if max(s) == 64 else 10. for s in sizes}))
    out = io.StringIO()
    with contextlib.redirect_stdout(out): res = cli.train(epochs=2, images=12, bs=16, equal_time=True)
    run = res['runs']['progressive, equal time']
    assert run['epochs'] == 2 and run['predicted_seconds'] is None
    lines = [l for l in out.getvalue().splitlines() if 'as many as full size' in l and not l.startswith('|')]   # beside the table's row
    assert len(lines) == 1 and 'not even one epoch fits' in lines[0], out.getvalue()[-2000:]

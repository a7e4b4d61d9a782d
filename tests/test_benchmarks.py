"""Smoke runs of the benchmark scripts on tiny settings: they run end to end, train what the library plans and write
their results files. The numbers they time here mean nothing (the committed results in benchmarks/results come from
full runs), so no test re-derives a script's numbers from its own other numbers."""
import json, os, subprocess, sys
from nbrun import ROOT

def _smoke(script, tmp_path, *args)->dict:
    "Run a benchmark script on tiny settings into tmp_path (results named 'smoke'); its JSON"
    cmd = [sys.executable, str(ROOT/'benchmarks'/script), *map(str, args), '--out', str(tmp_path), '--name', 'smoke']
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env={**os.environ, 'MPLBACKEND': 'Agg'}, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads((tmp_path/'smoke.json').read_text())

def _smoke_steady(script, tmp_path, monkeypatch, *args)->dict:
    "As `_smoke`, in this process, with the budget's timing read from a `PixelClock` (no wall clock): nothing falls back"
    import runpy
    from fastai.learner import Learner
    from progressive_fastai.testing import PixelClock
    import progressive_fastai.budget   # it adds Learner.progressive_budget
    timed = Learner.progressive_budget
    def steady(self, **kwargs): return timed(self, clock=PixelClock(self.model), **kwargs)   # time = pixels the model saw
    monkeypatch.setattr(Learner, 'progressive_budget', steady)
    monkeypatch.syspath_prepend(str(ROOT/'benchmarks'))   # the script's own helpers (_common)
    monkeypatch.setattr(sys, 'argv', [script, *map(str, args), '--out', str(tmp_path), '--name', 'smoke'])
    runpy.run_path(str(ROOT/'benchmarks'/script), run_name='__main__')
    return json.loads((tmp_path/'smoke.json').read_text())

def test_speedup_script_smoke(tmp_path):
    res = _smoke('speedup.py', tmp_path, '--per_class', '2', '--valid_per_class', '1', '--size', '32',
                 '--epochs', '1', '--pairs', '1', '--steps', '1', '--bs', '4', '--workers', '2')
    assert set(res['speedup']) == {'ProgressiveResize', 'fit_progressive'} and res['args']['workers'] == 2
    for v in res['speedup'].values(): assert len(v['full_train_s']) == len(v['progressive_train_s']) == 1
    assert [r['size'] for r in res['per_size']] == [16, 32]       # the default schedule's sizes at 32 px
    assert res['machine']['commit'] and res['gpu'] in ('not measured', 'see the GPU run')
    assert (tmp_path/'smoke.md').read_text().count('| mechanism |') == 1 and (tmp_path/'smoke_per_size.png').stat().st_size > 1000

def test_step_parts_script_smoke(tmp_path):
    res = _smoke('step_parts.py', tmp_path, '--per_class', '2', '--valid_per_class', '1', '--size', '32', '--steps', '2', '--warmup', '1', '--bs', '4')
    from progressive_fastai.schedule import SizeSchedule
    planned = SizeSchedule().plan(32, 2, 20).sizes                      # the library's default schedule: 2 epochs of 20 steps
    counts = {int(k): v for k, v in res['plan_step_counts'].items()}
    assert counts == {h: sum(s == (h, h) for s in planned) for h, _ in set(planned)}
    parts = ('data', 'forward', 'loss', 'backward', 'optimizer')
    for mech in ('ProgressiveResize', 'fit_progressive'):
        rows = {int(k): v for k, v in res['parts'][mech].items()}
        assert sorted(rows) == [16, 32] and all(r[k] > 0 for r in rows.values() for k in parts)   # each part timed at each size
    assert (tmp_path/'smoke.md').read_text().count('| ProgressiveResize |') == 3   # a row per size and its efficiency row

def test_pool_start_script_smoke(tmp_path):
    res = _smoke('pool_start.py', tmp_path, '--per_class', '4', '--valid_per_class', '1', '--size', '32', '--bs', '4',
                 '--step_ms', '5', '--rounds', '1', '--workers', '2')
    assert set(res['median_s']) == {'full size', 'one pool per epoch', 'pool per size'} and res['size_steps_within_epochs'] >= 1
    assert (tmp_path/'smoke.md').read_text().count('`fit_progressive`') == 2

def test_quality_script_smoke(tmp_path):
    res = _smoke('quality.py', tmp_path, '--per_class', '2', '--valid_per_class', '1', '--size', '32',
                 '--epochs', '1', '--seeds', '0,1', '--bs', '4')
    methods = {'full size', 'ProgressiveResize', 'fit_progressive', 'ProgressiveResize(delay_fraction=0.3)'}
    assert {s['method'] for s in res['summary']} == methods
    assert {s['budget'] for s in res['summary']} == {'equal epochs', 'equal wall-clock'}
    for run in res['runs']:
        assert len(run['accuracies']) == run['epochs'] == len(run['times']) and 0 <= run['accuracy'] <= 1
        if run['budget'] == 'equal wall-clock': assert run['epochs'] >= 1
    assert sorted({r['seed'] for r in res['runs']}) == [0, 1]
    assert (tmp_path/'smoke.png').stat().st_size > 1000 and 'equal wall-clock' in (tmp_path/'smoke.md').read_text()

def test_equal_time_script_smoke(tmp_path, monkeypatch):
    res = _smoke_steady('equal_time.py', tmp_path, monkeypatch, '--per_class', '2', '--valid_per_class', '1', '--size', '32',
                 '--epochs', '2', '--seeds', '0', '--bs', '4')
    assert [s['method'] for s in res['summary']] == ['full size', 'plain', 'final_scale=0.8', 'size-aware min_scale', 'size_jitter=0.25']
    for run in res['runs']:
        assert len(run['accuracies']) == run['epochs'] == len(run['times']) and 0 <= run['accuracy'] <= 1
        if run['method'] == 'full size': continue
        assert 'fallback' not in run, run   # the fallback has its own test below, forced
        assert run['epochs'] >= 1 and run['predicted_s'] <= run['budget_s'] and run['fit_s'] > 0
    fs = next(r for r in res['runs'] if r['method'] == 'final_scale=0.8')
    assert sorted(fs['by_size']) == ['16', '32'] and 0 <= fs['accuracy_bn_at_size'] <= 1
    assert 'BatchNorm re-estimated' in (tmp_path/'smoke.md').read_text() and (tmp_path/'smoke.png').stat().st_size > 1000

def test_equal_time_falls_back_when_nothing_fits(tmp_path, monkeypatch):
    "Step timing on a busy machine can say not even one epoch fits: the script then runs the full-size count, marked"
    import runpy
    from fastai.learner import Learner
    import progressive_fastai.budget   # it adds Learner.progressive_budget
    def nothing_fits(self, **kwargs): raise ValueError("not even one epoch fits in 0.1 s (as a busy machine's timing can say)")
    monkeypatch.setattr(Learner, 'progressive_budget', nothing_fits)
    monkeypatch.syspath_prepend(str(ROOT/'benchmarks'))   # the script's own helpers (_common)
    monkeypatch.setattr(sys, 'argv', ['equal_time.py', '--per_class', '2', '--valid_per_class', '1', '--size', '32', '--epochs', '2',
                                      '--seeds', '0', '--bs', '4', '--variants', 'plain', '--out', str(tmp_path), '--name', 'smoke'])
    runpy.run_path(str(ROOT/'benchmarks'/'equal_time.py'), run_name='__main__')
    res = json.loads((tmp_path/'smoke.json').read_text())
    plain = next(r for r in res['runs'] if r['method'] == 'plain')
    assert plain['epochs'] == 2 and plain['predicted_s'] is None and 'busy machine' in plain['fallback']
    assert 'prediction_error' not in res['summary'][1] and (tmp_path/'smoke.md').exists()

def test_pareto_script_smoke(tmp_path):
    res = _smoke('pareto.py', tmp_path, '--per_class', '2', '--valid_per_class', '1', '--size', '32', '--budgets', '2',
                 '--seeds', '0,1', '--bs', '4', '--workers', '0')
    names = ('full size', 'ProgressiveResize', 'fit_progressive', 'fit_progressive, final_scale=0.75')
    assert sorted((r['method'], r['seed']) for r in res['rows']) == sorted((m, s) for m in names for s in (0, 1))
    for r in res['rows']:
        assert {'method', 'budget_epochs', 'seed', 'budget_s', 'seconds', 'vs_budget', 'epochs', 'steps', 'accuracy'} <= set(r)
        full = next(f for f in res['rows'] if f['method'] == 'full size' and f['seed'] == r['seed'])
        assert r['budget_s'] == full['seconds'] and r['epochs'] >= 1 and r['steps'] >= 1 and 0 <= r['accuracy'] <= 1, r
        if r['method'] == 'full size': assert r['epochs'] == 2
    md = (tmp_path/'smoke.md').read_text()
    assert md.count('At equal wall-clock, at the time of 2 full-size epochs ') == 1 and "real time was" in md
    assert (tmp_path/'smoke.png').stat().st_size > 1000

def test_pareto_verdict():
    "A win or a loss needs every seed to agree and the mean beyond the seed spread; anything else is a tie"
    sys.path.insert(0, str(ROOT/'benchmarks'))
    from pareto import verdict
    assert verdict([0.03, 0.02, 0.04], spread=0.01) == 'wins'
    assert verdict([0.03, -0.01, 0.04], spread=0.01) == 'ties'     # one seed disagrees
    assert verdict([0.01, 0.01, 0.01], spread=0.02) == 'ties'      # within the seed spread
    assert verdict([-0.05, -0.03, -0.04], spread=0.02) == 'loses'

def test_fused_resize_script_smoke(tmp_path):
    res = _smoke('fused_resize.py', tmp_path, '--per_class', '2', '--valid_per_class', '1', '--size', '32', '--epochs', '1',
                 '--seeds', '0', '--bs', '4', '--workers', '0')
    assert [(r['seed'], r['fuse']) for r in res['rows']] == [(0, True), (0, False)] and len(res['diffs']) == 1
    assert set(res['summary']) == {'fused', 'resized again'} and 'Fused minus resized again' in (tmp_path/'smoke.md').read_text()

def test_gpu_script_smoke(tmp_path):
    "benchmarks/gpu.sh --smoke: every part of the GPU benchmark runs on the CPU and is written (its numbers mean nothing)"
    r = subprocess.run(['bash', str(ROOT/'benchmarks'/'gpu.sh'), '--smoke', '--out', str(tmp_path), '--name', 'smoke'],
                       capture_output=True, text=True, timeout=600, env={**os.environ, 'MPLBACKEND': 'Agg', 'PYTHON': sys.executable}, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads((tmp_path/'smoke.json').read_text())
    sizes = {f'{h}x{w}' for h, w in res['sizes']}
    assert sizes == {'16x16', '32x32'} and set(res['step']) == {'xresnet50', 'resnet34'}
    for r_ in res['step'].values(): assert set(r_['model_alone_s']) == set(r_['with_loader_s']) == sizes
    assert set(res['loader']) == {'ProgressiveResize', 'fit_progressive', 'fit_progressive, draft'}
    assert all(len(v['pairs']) == 2 and v['ideal'] > 1 for v in res['speedup'].values())
    assert set(res['first_step']) == {'cudnn.benchmark=True', 'cudnn.benchmark=False'} and res['compile']['unique_graphs'] >= 1
    assert res['machine']['commit'] and '## torch.compile' in (tmp_path/'smoke.md').read_text()

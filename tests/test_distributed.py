"""`fit_progressive` under fastai's distributed training: 2 processes, gloo on CPU, launched with torch.distributed.run.

Every rank trains on its shard, and at every step every rank uses the same size: the sizes gathered from both
ranks are equal to each other and to the plan (computed on a shard's item count)."""
import json, os, socket, subprocess, sys
import pytest
from nbrun import ROOT

pytest.importorskip('accelerate', reason='fastai.distributed needs accelerate (installed by tools/setup_env.sh)')

def _free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def _launch(tmp_path, n_epoch, mode):
    from progressive_fastai.testing import make_image_folder
    data = make_image_folder(tmp_path/'data', size=64, n_train=20, n_valid=4, seed=1)   # 40 training items
    out = tmp_path/'out'; out.mkdir()
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'MPLBACKEND': 'Agg', 'CUDA_VISIBLE_DEVICES': ''}
    cmd = lambda: [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2', '--master_addr', '127.0.0.1',
                   '--master_port', str(_free_port()), str(ROOT/'tests'/'distributed_fit.py'), str(data), str(out), str(n_epoch), mode]
    r = subprocess.run(cmd(), capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)
    if r.returncode != 0:   # the first error lines of any rank, not only torchrun's summary at the end
        clues = [l for l in r.stderr.splitlines() if any(k in l for k in ('Error', 'error', 'terminate', 'Exception', 'what()'))]
        raise AssertionError(f"torchrun exited {r.returncode}\n" + '\n'.join(clues[:40]) + '\n--- stderr tail ---\n' + r.stderr[-3000:])
    return [json.loads((out/f'rank{i}.json').read_text()) for i in range(2)]

def test_two_ranks_same_sizes_as_plan(tmp_path):
    r0, r1 = _launch(tmp_path, 3, 'sizes')
    assert r0['world'] == r1['world'] == 2
    assert r0['steps'] == r1['steps']                                   # both ranks gathered the same record
    steps0, steps1 = r0['steps']
    assert [s[1:3] for s in steps0] == [s[1:3] for s in steps1]         # the same size at every step on both ranks
    # 40 items, 2 ranks: 20 per rank, bs 8, drop_last: 2 steps per epoch per rank (a single process would take 5)
    assert len(steps0) == 3 * 2
    assert [s[1:3] for s in steps0] == [[32, 32]] * 2 + [[48, 48]] * 2 + [[64, 64]] * 2
    assert [s[3] for s in steps0] == [8] * 6
    assert r0['recorder_sizes'] == [s[1:3] for s in steps0]
    # the plan for a shard of 20 items, computed by the same pure function a single process uses
    from progressive_fastai.all import SizeSteps
    from progressive_fastai.learner import epoch_batches
    expected = [list(b['size']) for e in range(3) for b in epoch_batches(SizeSteps((32, 48, 64)), 64, e, 3, 20, 8)]
    assert [s[1:3] for s in steps0] == expected
    for a, b in zip(r0['shards'], r1['shards']):                       # each epoch: disjoint shards covering all 40 items
        assert len(a) == len(b) == 20 and not set(a) & set(b) and set(a) | set(b) == set(range(40))
    assert r0['shards'][0] != r0['shards'][1]                           # reshuffled every epoch

def test_two_ranks_bs_scale(tmp_path):
    r0, r1 = _launch(tmp_path, 5, 'bs_scale')
    steps0, steps1 = r0['steps']
    assert steps0 == steps1                                             # sizes and batch sizes equal on both ranks
    from progressive_fastai.all import SizeSchedule
    from progressive_fastai.learner import epoch_batches
    bsf = lambda size: 8 if size == (64, 64) else min(32, 8 * 64 * 64 // (size[0] * size[1]))
    expected = [[e, *b['size'], b['end'] - b['start']] for e in range(5) for b in epoch_batches(SizeSchedule(), 64, e, 5, 20, 8, batch_size=bsf)]
    assert steps0 == expected
    assert {tuple(s[1:3]) for s in steps0} >= {(32, 32), (64, 64)}
    assert max(s[3] for s in steps0) > 8                                # batches grew at the small size
    for e in range(5):   # each rank: its shard's plain-fit share (16 of 20) per epoch, less at most a remainder under bs/2
        assert 16 - 4 < sum(s[3] for s in steps0 if s[0] == e) <= 16

def test_two_ranks_by_the_clock(tmp_path):
    "TimeBudgetCallback: rank 1's clock runs 3x as fast as rank 0's, yet both ranks train the same steps at the same sizes"
    r0, r1 = _launch(tmp_path, 50, 'clock')
    steps0, steps1 = r0['steps']
    assert steps0 == steps1 and r0['steps'] == r1['steps']              # every rank followed rank 0's clock
    epochs = {s[0] for s in steps0}
    assert 3 <= len(epochs) < 50                                        # ended by the budget, not the cap of 50 epochs
    assert tuple(steps0[0][1:3]) == (32, 32) and tuple(steps0[-1][1:3]) == (64, 64)   # small first, full size at the end
    assert r0['recorder_sizes'] == [s[1:3] for s in steps0]

def test_two_ranks_progressive_resize(tmp_path):
    "ProgressiveResize under distrib_ctx: the same size on both ranks at every step, equal to a single-process run's plan"
    r0, r1 = _launch(tmp_path, 4, 'callback')
    steps0, steps1 = r0['steps']
    assert steps0 == steps1                                             # gathered from both ranks: identical
    assert r0['steps'] == r1['steps']
    # each rank: 20 items, bs 8, drop_last: 2 batches per epoch. fastai's DistributedDL reports len 3 (it rounds the
    # whole loader's 5 batches up to 6 and halves them), so fastai's own progress (n_iter, pct_train, the LR schedule)
    # counts 3 steps per epoch; the sizes follow that same progress, in lock-step with the learning rate.
    per_epoch = len(steps0) // 4
    n_iter = r0['n_iters'][0]
    assert len(steps0) == 4 * per_epoch and per_epoch == 2 and set(r0['n_iters']) == {3}
    from progressive_fastai.all import ProgressiveResize
    plan = ProgressiveResize(size_increment=8).plan(64, 4, n_iter).sizes    # a single process with fastai's n_iter
    expected = [plan[e * n_iter + i] for e in range(4) for i in range(per_epoch)]
    assert [tuple(s[1:3]) for s in steps0] == expected
    assert len(set(expected)) >= 3                                      # the size changed several times without a hang
    assert r0['recorder_sizes'] == [list(s) for s in expected]

def test_two_ranks_mixed_sizes_and_size_aware_regularisation(tmp_path):
    "size_jitter draws the same size on both ranks at every step (no communication), and SizeAwareRegularization sets the same values"
    r0, r1 = _launch(tmp_path, 4, 'mixed')
    steps0, steps1 = r0['steps']
    assert steps0 == steps1                                             # drawn sizes identical on both ranks
    per_epoch, n_iter = len(steps0) // 4, r0['n_iters'][0]
    from progressive_fastai.all import ProgressiveResize, SizeSchedule
    from progressive_fastai.schedule import progress
    cb = ProgressiveResize(size_increment=8, initial_scale=0.25, size_jitter=0.3)
    plan = cb.plan(64, 4, n_iter).sizes                                 # the drawn sizes, as a single process plans them
    expected = [plan[e * n_iter + i] for e in range(4) for i in range(per_epoch)]
    assert [tuple(s[1:3]) for s in steps0] == expected
    plain = ProgressiveResize(size_increment=8, initial_scale=0.25).plan(64, 4, n_iter).sizes
    assert expected != [plain[e * n_iter + i] for e in range(4) for i in range(per_epoch)]   # sizes really were drawn
    reg0, reg1 = r0['reg_values']
    assert reg0 == reg1 and reg0['dropout']                             # the same regularisation on both ranks
    sched = SizeSchedule(size_increment=8, initial_scale=0.25)
    want = [0.5 * sched.fraction(progress(e, i, 4, n_iter)) for e in range(4) for i in range(per_epoch)]
    assert all(abs(a - b) < 1e-9 for a, b in zip(reg0['dropout'], want)) and len(reg0['dropout']) == len(want)

"""Time lost at size steps with DataLoader workers: fit_progressive's one worker pool per epoch vs one per size.

    .venv/bin/python benchmarks/pool_start.py [--per_class 64] [--size 128] [--workers 2] [--step_ms 150] [--rounds 3]

With `num_workers > 0` a fastai DataLoader starts a new pool of worker processes at every iteration, and the first
batches must then be loaded from scratch. Drawing each size of an epoch from its own loader would pay that
start-up at every size step, with the model waiting; `fit_progressive` draws the whole epoch from one iteration
(`ProgressiveEpoch`), one pool per epoch as in a plain fit. This script measures the time that saves. A device step is stood in for by `time.sleep(--step_ms)` after a tiny model's step: on a GPU the training
process waits on the device while the CPU cores are free for the workers (on a 2-core CPU that trains the
model itself, a pool's start-up also competes with the model for the cores: speedup.py measures that case).

Configurations, taking turns over `--rounds` rounds (medians): a plain 2-epoch fit at full size, `fit_progressive`
(one pool per epoch), and `fit_progressive` drawing each size by its own iteration (one pool per size, what a
loader class with its own batching gets, and what every loader got before). Writes pool_start.json and pool_start.md to --out.
"""
import argparse, json, statistics, tempfile, time
from pathlib import Path

import torch
from torch import nn
from fastai.vision.all import Learner, Callback, set_seed

import progressive_fastai.learner as pl
from _common import subset, machine, data_args, presized_dls, train_time_cb

class DeviceStep(Callback):
    "Stand in for a device step: the training process waits `s` seconds after each training step"
    def __init__(self, s): self.s = s
    def after_step(self): time.sleep(self.s)

def tiny(n_out): return nn.Sequential(nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(48, n_out))

def main():
    ap = data_args(argparse.ArgumentParser(), per_class=64, valid_per_class=10)
    ap.add_argument('--size', type=int, default=128)
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--epochs', type=int, default=2)
    ap.add_argument('--step_ms', type=float, default=150., help='stand-in device time per training step')
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--name', default='pool_start')
    a = ap.parse_args()
    if a.workers < 1: raise SystemExit('--workers must be at least 1: this measures worker pool start-ups')
    torch.set_num_threads(2)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    path = subset(Path(a.data), Path(tempfile.mkdtemp())/'data', a.per_class, a.valid_per_class)
    dls = presized_dls(path, a.size, a.bs, seed=0, workers=a.workers)
    one_pool = pl._one_pool

    def run(kind):
        set_seed(0)
        learn = Learner(dls, tiny(dls.c))
        tt = train_time_cb()
        cbs = [DeviceStep(a.step_ms / 1000), tt]
        pl._one_pool = one_pool if kind != 'pool per size' else (lambda dl: False)
        try:
            with learn.no_bar(), learn.no_logging():
                if kind == 'full size': learn.fit(a.epochs, 1e-3, cbs=cbs)
                else: learn.fit_progressive(a.epochs, 1e-3, cbs=cbs)
        finally: pl._one_pool = one_pool
        return tt.seconds

    plan = Learner(dls, tiny(dls.c)).progressive_plan(a.epochs)
    steps = plan.steps
    size_steps = sum(1 for p, q in zip(steps, steps[1:]) if p['epoch'] == q['epoch'] and p['size'] != q['size'])
    kinds = ('full size', 'one pool per epoch', 'pool per size')
    run('full size')   # warm-up (file cache)
    times = {k: [] for k in kinds}
    for r in range(a.rounds):
        for k in kinds: times[k].append(round(run(k), 3))
        print(r, {k: v[-1] for k, v in times.items()}, flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    res = dict(machine=machine(), args=vars(a), n_steps=len(steps), size_steps_within_epochs=size_steps, train_s=times,
               median_s=med, saved_s=round(med['pool per size'] - med['one pool per epoch'], 3),
               saved_per_size_step_s=round((med['pool per size'] - med['one pool per epoch']) / max(size_steps, 1), 3),
               device_time_s=round(len(steps) * a.step_ms / 1000, 2))
    (out/f'{a.name}.json').write_text(json.dumps(res, indent=1))
    m = res['machine']
    lines = ['# One worker pool per epoch', '',
             f"{m['cpu']}, {m['threads']} threads; torch {m['torch']}, fastai {m['fastai']}; {m['date']}, commit {m['commit'][:10]}.",
             f"{dls.train.n} images presized to {a.size} px, bs {a.bs}, num_workers {a.workers}, {a.epochs} epochs ({len(steps)} steps, "
             f"{size_steps} size steps inside epochs); a tiny model plus {a.step_ms:g} ms of stand-in device time per step "
             f"({res['device_time_s']} s in all). Training time only, {a.rounds} rounds, median.", '',
             '| configuration | train s (rounds) | median s |', '|---|---|---|']
    labels = {'full size': 'plain fit at full size', 'one pool per epoch': '`fit_progressive`, one pool per epoch',
              'pool per size': '`fit_progressive`, one pool per size (each size its own iteration)'}
    for k in kinds: lines.append(f"| {labels[k]} | {', '.join(map(str, times[k]))} | {med[k]:.2f} |")
    lines += ['', f"One pool per epoch saved {res['saved_s']:.2f} s, {res['saved_per_size_step_s'] * 1000:.0f} ms per size step."]
    (out/f'{a.name}.md').write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))

if __name__ == '__main__':
    main()

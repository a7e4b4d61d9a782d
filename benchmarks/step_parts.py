"""Where a training step's time goes, at each size of the default schedule, and what that does to efficiency.

    .venv/bin/python benchmarks/step_parts.py [--per_class 64] [--size 128] [--steps 20] [--out benchmarks/results]

xresnet18 from scratch at `--size` px on the first `--per_class` training images of each class of
../shared/data/imagenette2-224-subset with fastbook's presizing (as speedup.py), num_workers 0 so that loading
runs in the training process and can be timed. For the full size and every smaller size of the default
schedule, one fit of `--steps` steps with fastai's default optimizer (Adam) per mechanism:

- `ProgressiveResize`: the full-size loader, each batch resized on the device to the size (what the callback does
  at that point of the schedule);
- `fit_progressive`: the loader `fit_progressive` builds at that size (`draft=False`, its default).

Each step is split into data (waiting for the batch: decode, item transforms, collation, batch augmentation, and
the resize), forward, loss, backward and optimizer step (medians over the steps after `--warmup`). From those parts
and the default schedule's plan for speedup.py's run (2 epochs of 20 steps), the efficiency each mechanism can
reach is worked out with all parts, then with data loading taken out, then with data and optimizer taken out:
what each fixed part costs. Writes step_parts.json and step_parts.md to --out (with the machine, versions, date and
commit).
"""
import argparse, json, statistics, tempfile, time
from pathlib import Path

import torch
from fastai.vision.all import Learner, DataLoaders, set_seed, xresnet18, Callback

from progressive_fastai.all import ProgressiveResize, resize_batch
from progressive_fastai.learner import _SizedLoaders
from _common import subset, machine, data_args, presized_dls

PARTS = ('data', 'forward', 'loss', 'backward', 'optimizer')

class StepParts(Callback):
    "Seconds of each part of every training step (data: from the end of the previous step to the start of this one)"
    order = 101   # after every callback that changes the batch (the resize is counted as data)
    def before_fit(self): self.t, self._last = {k: [] for k in PARTS + ('step',)}, None
    def before_train(self): self._last = time.perf_counter()
    def before_batch(self):
        if not self.training: return
        self.t0 = time.perf_counter()
        self.t['data'].append(self.t0 - self._last)
    def after_pred(self): self.t1 = time.perf_counter()
    def after_loss(self): self.t2 = time.perf_counter()
    def before_step(self): self.t3 = time.perf_counter()
    def after_step(self): self.t4 = time.perf_counter()
    def after_batch(self):
        if not self.training: return
        self._last = time.perf_counter()
        for k, a, b in (('forward', self.t0, self.t1), ('loss', self.t1, self.t2), ('backward', self.t2, self.t3), ('optimizer', self.t3, self.t4)):
            self.t[k].append(b - a)
        self.t['step'].append(self._last - self.t0 + self.t['data'][-1])

class ResizeTo(Callback):
    "Resize every training batch to `size` on the device, as `ProgressiveResize` does at that point of its schedule"
    order = ProgressiveResize.order
    def __init__(self, size): self.size = size
    def before_batch(self):
        if self.training: self.learn.xb, self.learn.yb = resize_batch(self.learn.xb, self.learn.yb, self.size)

def measure(dls, cbs, steps, warmup):
    "Median seconds of each part of a training step over `steps` steps after `warmup`"
    set_seed(0)
    learn = Learner(dls, xresnet18(n_out=dls.c))
    probe = StepParts()
    with learn.no_bar(), learn.no_logging():
        learn.fit(1, 1e-3, cbs=[probe, *cbs])   # one epoch (the loader holds steps + warmup batches)
    return {k: round(statistics.median(v[warmup:]), 4) for k, v in probe.t.items()}

def efficiency(per_size, counts, full, drop=()):
    "Speedup over its ideal of a run whose steps cost the measured parts (less the parts in `drop`), per step count at each size"
    cost = lambda r: sum(r[k] for k in PARTS if k not in drop)
    n = sum(counts.values())
    full_t = n * cost(per_size[full])
    prog_t = sum(c * cost(per_size[s]) for s, c in counts.items())
    ideal = n / sum(c * (s / full) ** 2 for s, c in counts.items())
    return round(full_t / prog_t / ideal, 3)

def main():
    ap = data_args(argparse.ArgumentParser(), per_class=64, valid_per_class=10)
    ap.add_argument('--size', type=int, default=128)
    ap.add_argument('--steps', type=int, default=20, help='steps per measurement (after --warmup)')
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--name', default='step_parts')
    a = ap.parse_args()
    torch.set_num_threads(2)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    S = a.size
    tmp = Path(tempfile.mkdtemp())
    n_items = (a.steps + a.warmup) * a.bs
    per_class = max(a.per_class, -(-n_items // 10))
    path = subset(Path(a.data), tmp/'data', per_class, a.valid_per_class)
    dls = presized_dls(path, S, a.bs, seed=0, workers=0)
    dls.train.n = min(dls.train.n, n_items)   # one epoch = steps + warmup batches
    plan = ProgressiveResize().plan(S, 2, 20)   # speedup.py's run: 2 epochs of 20 steps
    counts = {}
    for s in plan.sizes: counts[s[0]] = counts.get(s[0], 0) + 1
    sizes = sorted(counts)
    loaders = _SizedLoaders(dls.train, (S, S))
    rows = {'ProgressiveResize': {}, 'fit_progressive': {}}
    measure(dls, [], a.steps, a.warmup)   # warm-up: file cache and allocator
    for s in sizes:
        rows['ProgressiveResize'][s] = measure(dls, [ResizeTo(s)] if s != S else [], a.steps, a.warmup)
        small = loaders((s, s), a.bs)
        small.n = dls.train.n
        rows['fit_progressive'][s] = measure(DataLoaders(small, dls.valid), [], a.steps, a.warmup)
        print(s, rows['ProgressiveResize'][s], rows['fit_progressive'][s], flush=True)
    eff = {m: dict(all_parts=efficiency(r, counts, S), without_data=efficiency(r, counts, S, ('data',)),
                   without_data_and_optimizer=efficiency(r, counts, S, ('data', 'optimizer')))
           for m, r in rows.items()}
    res = dict(machine=machine(), args=vars(a), plan_step_counts=counts, parts=rows, efficiency_from_parts=eff)
    (out/f'{a.name}.json').write_text(json.dumps(res, indent=1))

    m = res['machine']
    lines = ['# Where a training step goes', '',
             f"{m['cpu']}, {m['threads']} threads, GPU: {m['gpu'] or 'none'}; torch {m['torch']}, fastai {m['fastai']}; {m['date']}, commit {m['commit'][:10]}.",
             f"xresnet18 from scratch, presizing at {S} px, bs {a.bs}, Adam, num_workers 0; median ms over {a.steps} steps after {a.warmup}. "
             f"Data = waiting for the batch (decode, item transforms, collation, batch augmentation, and the resize).", '',
             '| mechanism | size | data | forward | loss | backward | optimizer | step | step vs pixel-proportional |', '|---|---|---|---|---|---|---|---|---|']
    for mech, r in rows.items():
        full = r[S]['step']
        for s in sizes:
            p = r[s]
            lines.append(f"| {mech} | {s} | " + ' | '.join(f"{p[k] * 1000:.1f}" for k in PARTS + ('step',)) + f" | {p['step'] / (full * (s / S) ** 2):.2f} |")
    lines += ['', f"Efficiency (measured speedup / pixel-ratio ideal) of speedup.py's run ({sum(counts.values())} steps: "
              + ', '.join(f"{c} at {s}" for s, c in sorted(counts.items())) + ") worked out from these parts:", '',
              '| mechanism | all parts | without data loading | without data loading and optimizer step |', '|---|---|---|---|']
    for mech, e in eff.items():
        lines.append(f"| {mech} | {e['all_parts']:.3f} | {e['without_data']:.3f} | {e['without_data_and_optimizer']:.3f} |")
    (out/f'{a.name}.md').write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))

if __name__ == '__main__':
    main()

"""Accuracy at equal epochs and at equal wall-clock time: full size vs progressive resizing, several seeds.

    .venv/bin/python benchmarks/quality.py [--per_class 64] [--size 96] [--epochs 4] [--seeds 0,1,2] [--out benchmarks/results]

xresnet18 from scratch on the first `--per_class` training images of each class of ../shared/data/imagenette2-224-subset,
fastbook's presizing. For each seed: full size, `ProgressiveResize()`, `fit_progressive()` and
`ProgressiveResize(delay_fraction=0.3)` (the small size held longer), all for `--epochs` epochs (**equal epochs**);
then each progressive method again with the epochs its saved time buys, `max(epochs, floor(epochs x full time /
its time))` (**equal wall-clock**). Reports the mean and spread over seeds of the final validation accuracy and the
time, and plots accuracy against wall-clock time for every run.

Writes quality.json, quality.md and quality.png to --out (with the machine, versions, date and commit).
"""
import argparse, json, math, tempfile, time
from pathlib import Path

import torch
from fastai.vision.all import Learner, accuracy, set_seed, xresnet18
import matplotlib
matplotlib.use('Agg')

from progressive_fastai.all import ProgressiveResize
from progressive_fastai.cli import EpochLog
from _common import ROOT, subset, machine, data_args, presized_dls, stats, plot_accuracy_runs, results_header

METHODS = {
    'ProgressiveResize': lambda learn, n, lr, cbs: learn.fit_one_cycle(n, lr, cbs=[ProgressiveResize(), *cbs]),
    'fit_progressive': lambda learn, n, lr, cbs: learn.fit_progressive(n, lr, cbs=cbs),
    'ProgressiveResize(delay_fraction=0.3)': lambda learn, n, lr, cbs: learn.fit_one_cycle(n, lr, cbs=[ProgressiveResize(delay_fraction=0.3), *cbs]),
}

def main():
    ap = data_args(argparse.ArgumentParser(), per_class=64, valid_per_class=20)
    ap.add_argument('--size', type=int, default=96)
    ap.add_argument('--epochs', type=int, default=4)
    ap.add_argument('--seeds', default='0,1,2')
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--name', default='quality')
    a = ap.parse_args()
    torch.set_num_threads(2)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    path = subset(Path(a.data), Path(tempfile.mkdtemp())/'data', a.per_class, a.valid_per_class)
    S, E = a.size, a.epochs
    seeds = [int(s) for s in a.seeds.split(',')]

    def run(seed, method, n):
        "One fit from scratch; the DataLoaders are built after seeding, so a seed fixes the batches too"
        set_seed(seed, reproducible=True)
        dls = presized_dls(path, S, a.bs, seed=seed)
        learn = Learner(dls, xresnet18(n_out=dls.c), metrics=accuracy)
        log = EpochLog()
        t0 = time.perf_counter()
        with learn.no_bar(), learn.no_logging():
            if method == 'full size': learn.fit_one_cycle(n, a.lr, cbs=log)
            else: METHODS[method](learn, n, a.lr, [log])
        r = dict(seed=seed, method=method, epochs=n, seconds=round(time.perf_counter() - t0, 2), accuracy=round(log.accuracies[-1], 4),
                 times=[round(t, 2) for t in log.times], accuracies=[round(x, 4) for x in log.accuracies])
        print(f"seed {seed} {method:40s} {n} epochs {r['seconds']:6.1f} s accuracy {r['accuracy']:.3f}", flush=True)
        return r

    runs = []
    for seed in seeds:
        full = run(seed, 'full size', E); full['budget'] = 'equal epochs'; runs.append(full)
        for m in METHODS:
            r = run(seed, m, E); r['budget'] = 'equal epochs'; runs.append(r)
            n = max(E, math.floor(E * full['seconds'] / r['seconds']))
            r2 = dict(r) if n == E else run(seed, m, n)
            r2['budget'] = 'equal wall-clock'; runs.append(r2)

    summary = []
    for budget in ('equal epochs', 'equal wall-clock'):
        for m in ['full size', *METHODS]:
            rs = [r for r in runs if r['method'] == m and (r['budget'] == budget or m == 'full size')]
            full_acc = {r['seed']: r['accuracy'] for r in runs if r['method'] == 'full size'}
            summary.append(dict(budget=budget, method=m, epochs=sorted({r['epochs'] for r in rs}), seconds=stats([r['seconds'] for r in rs]),
                                accuracy=stats([r['accuracy'] for r in rs]),
                                vs_full=stats([round(r['accuracy'] - full_acc[r['seed']], 4) for r in rs])))
    res = dict(machine=machine(), args=vars(a), runs=runs, summary=summary, gpu='not measured' if not torch.cuda.is_available() else 'see the GPU run')
    (out/f'{a.name}.json').write_text(json.dumps(res, indent=1))

    plot_accuracy_runs([r for r in runs if r['budget'] == 'equal wall-clock' or r['method'] == 'full size'], ['full size', *METHODS],
                       seeds, S, out/f'{a.name}.png')

    m = res['machine']
    lines = results_header('Accuracy at equal epochs and at equal wall-clock', m, a, seeds) + [
             '| budget | method | epochs | seconds | accuracy | vs full size (same seed) |', '|---|---|---|---|---|---|']
    for s in summary:
        ac, dv, sec = s['accuracy'], s['vs_full'], s['seconds']
        lines.append(f"| {s['budget']} | {s['method']} | {', '.join(map(str, s['epochs']))} | {sec['mean']:.1f} ± {sec['sd']:.1f} | "
                     f"{ac['mean']:.3f} ± {ac['sd']:.3f} ({ac['min']:.3f}-{ac['max']:.3f}) | {dv['mean']:+.3f} ± {dv['sd']:.3f} |")
    lines += ['', f"![accuracy against wall-clock time]({a.name}.png)"]
    (out/f'{a.name}.md').write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))

if __name__ == '__main__':
    main()

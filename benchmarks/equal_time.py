"""Winning at equal wall-clock: full size vs plain progressive resizing vs each lever of issue "Win at equal wall-clock".

    .venv/bin/python benchmarks/equal_time.py [--per_class 64] [--size 96] [--epochs 4] [--seeds 0,1,2] [--out benchmarks/results]

xresnet18 from scratch on the first `--per_class` training images of each class of ../shared/data/imagenette2-224-subset,
fastbook's presizing (`aug_transforms(size, min_scale=0.75)`), 2 threads. Per seed, the budget is the measured wall-clock
of the `--epochs`-epoch full-size run (validation included); every progressive run gets the epochs
`Learner.progressive_budget(full_epochs=epochs, by="steps")` says fit in the time of the full-size epochs (timed on that run's own Learner
before training, every size timed the same way; predicted and measured time both recorded):

- plain: `ProgressiveResize()`;
- final_scale: `ProgressiveResize(final_scale=0.8)` (train up to 0.8 of the size, test at the size), accuracy as trained
  and with BatchNorm re-estimated at the test size (`recalibrate_bn`), plus accuracy over test sizes (`accuracy_by_size`);
- size-aware: plain + `SizeAwareRegularization()` (the crop's min_scale from 1 at the first size to 0.75 at the last);
- size_jitter: `ProgressiveResize(size_jitter=0.25)`.

Writes equal_time.json, equal_time.md and equal_time.png to --out (with the machine, versions, date and commit).
"""
import argparse, json, statistics, tempfile, time
from pathlib import Path

import torch
from fastai.vision.all import Learner, accuracy, set_seed, xresnet18
import matplotlib
matplotlib.use('Agg')

from progressive_fastai.all import ProgressiveResize
from progressive_fastai.tricks import SizeAwareRegularization, recalibrate_bn, accuracy_by_size
from progressive_fastai.cli import EpochLog
from _common import subset, machine, data_args, presized_dls, stats, plot_accuracy_runs, results_header

VARIANTS = {   # name: (schedule keywords for the budget and the callback, more callbacks)
    'plain': (dict(), lambda: []),
    'final_scale=0.8': (dict(final_scale=0.8), lambda: []),
    'size-aware min_scale': (dict(), lambda: [SizeAwareRegularization()]),
    'size_jitter=0.25': (dict(size_jitter=0.25), lambda: []),
}

def main():
    ap = data_args(argparse.ArgumentParser(), per_class=64, valid_per_class=20)
    ap.add_argument('--size', type=int, default=96)
    ap.add_argument('--epochs', type=int, default=4)
    ap.add_argument('--seeds', default='0,1,2')
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--variants', default=','.join(VARIANTS))
    ap.add_argument('--name', default='equal_time')
    a = ap.parse_args()
    torch.set_num_threads(2)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    path = subset(Path(a.data), Path(tempfile.mkdtemp())/'data', a.per_class, a.valid_per_class)
    S, E, seeds, variants = a.size, a.epochs, [int(s) for s in a.seeds.split(',')], a.variants.split(',')

    def learner(seed):
        set_seed(seed, reproducible=True)
        dls = presized_dls(path, S, a.bs, seed=seed)
        return Learner(dls, xresnet18(n_out=dls.c), metrics=accuracy)

    def record(seed, method, learn, log, seconds, **extra):
        r = dict(seed=seed, method=method, epochs=len(log.accuracies), seconds=round(seconds, 2),
                 accuracy=round(log.accuracies[-1], 4), times=[round(t, 2) for t in log.times],
                 accuracies=[round(x, 4) for x in log.accuracies], **extra)
        print(f"seed {seed} {method:24s} {r['epochs']} epochs {r['seconds']:6.1f} s accuracy {r['accuracy']:.3f} {extra}", flush=True)
        return r

    runs = []
    for seed in seeds:
        learn, log = learner(seed), EpochLog()
        t0 = time.perf_counter()
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(E, a.lr, cbs=log)
        runs.append(record(seed, 'full size', learn, log, time.perf_counter() - t0))
        for v in variants:
            kw, more = VARIANTS[v]
            learn, log = learner(seed), EpochLog()
            # the budget as E full-size epochs timed with the same steps as the progressive sizes: both sides measured the same way,
            # so a busy machine slows both (an absolute budget in seconds compared a real fit with a few timed steps)
            try: b = learn.progressive_budget(full_epochs=E, by="steps", count_timing=False, **kw)
            except ValueError as e:   # step timing on a busy machine said not even one epoch fits: run the full-size
                b = None              # epoch count (no step is larger than full size), marked, as the CLI does
                print(f"seed {seed} {v}: {e}; running {E} epochs, as full size", flush=True)
                t0 = time.perf_counter()
                with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(E, a.lr, cbs=[log, ProgressiveResize(**kw), *more()])
                extra = dict(predicted_s=None, budget_s=None, fit_s=round(time.perf_counter() - t0, 2), fallback=str(e))
            if b is not None:
                with learn.no_bar(), learn.no_logging(): b.fit(a.lr, cbs=[log, *more()])
                extra = dict(predicted_s=round(b.predicted_s, 2), budget_s=round(b.budget_s, 2), fit_s=round(b.measured_s, 2))
            if v.startswith('final_scale'):
                with learn.no_bar(), learn.no_logging():
                    df = accuracy_by_size(learn, [round(S * f / 16) * 16 for f in (0.67, 0.83)] + [S], n_batches=10)
                extra['by_size'] = {int(r['size']): dict(as_trained=round(float(r['accuracy']), 4), bn_at_size=round(float(r['accuracy (BN at size)']), 4))
                                    for _, r in df.iterrows()}
                extra['accuracy_bn_at_size'] = extra['by_size'][S]['bn_at_size']
            runs.append(record(seed, v, learn, log, extra['fit_s'], **extra))   # the fit alone (not the timing, not the extra tests)

    full_acc = {r['seed']: r['accuracy'] for r in runs if r['method'] == 'full size'}
    plain_acc = {r['seed']: r['accuracy'] for r in runs if r['method'] == 'plain'}
    summary = []
    for m in ['full size', *variants]:
        rs = [r for r in runs if r['method'] == m]
        s = dict(method=m, epochs=sorted({r['epochs'] for r in rs}), seconds=stats([r['seconds'] for r in rs]), accuracy=stats([r['accuracy'] for r in rs]),
                 vs_full=stats([round(r['accuracy'] - full_acc[r['seed']], 4) for r in rs]))
        if plain_acc: s['vs_plain'] = stats([round(r['accuracy'] - plain_acc[r['seed']], 4) for r in rs])
        if m != 'full size' and any(r['predicted_s'] for r in rs):   # runs that fell back to the full-size count have no prediction
            s['prediction_error'] = stats([round(r['fit_s'] / r['predicted_s'] - 1, 4) for r in rs if r['predicted_s']])
        if rs and 'accuracy_bn_at_size' in rs[0]:
            s['accuracy_bn_at_size'] = stats([r['accuracy_bn_at_size'] for r in rs])
            s['bn_vs_full'] = stats([round(r['accuracy_bn_at_size'] - full_acc[r['seed']], 4) for r in rs])
            s['by_size'] = {sz: {k: round(statistics.mean(r['by_size'][sz][k] for r in rs), 4) for k in ('as_trained', 'bn_at_size')} for sz in rs[0]['by_size']}
        summary.append(s)
    res = dict(machine=machine(), args=vars(a), runs=runs, summary=summary, gpu='not measured' if not torch.cuda.is_available() else 'see the GPU run')
    (out/f'{a.name}.json').write_text(json.dumps(res, indent=1))

    plot_accuracy_runs(runs, ['full size', *VARIANTS], seeds, S, out/f'{a.name}.png')

    m = res['machine']
    lines = results_header('Winning at equal wall-clock', m, a, seeds,
                           f" Budget: the measured time of the {E}-epoch full-size run of the same seed; progressive runs get the "
                           f"epochs `progressive_budget` predicts fit in it.") + [
             '| method | epochs | seconds | time vs predicted | accuracy | vs full size | vs plain progressive |', '|---|---|---|---|---|---|---|']
    fmt = lambda d: f"{d['mean']:+.3f} ± {d['sd']:.3f}"
    for s in summary:
        ac, sec = s['accuracy'], s['seconds']
        pe = f"{s['prediction_error']['mean']:+.1%} ± {s['prediction_error']['sd']:.1%}" if 'prediction_error' in s else ''
        lines.append(f"| {s['method']} | {', '.join(map(str, s['epochs']))} | {sec['mean']:.1f} ± {sec['sd']:.1f} | {pe} | "
                     f"{ac['mean']:.3f} ± {ac['sd']:.3f} ({ac['min']:.3f}-{ac['max']:.3f}) | {fmt(s['vs_full'])} | {fmt(s['vs_plain']) if 'vs_plain' in s else ''} |")
        if 'accuracy_bn_at_size' in s:
            ab = s['accuracy_bn_at_size']
            lines.append(f"| {s['method']}, BatchNorm re-estimated at {S} px | | | | {ab['mean']:.3f} ± {ab['sd']:.3f} ({ab['min']:.3f}-{ab['max']:.3f}) | {fmt(s['bn_vs_full'])} | |")
    fs = next((s for s in summary if 'by_size' in s), None)
    if fs:
        lines += ['', f"Accuracy of the {fs['method']} runs at each test size (mean over seeds):", '', '| test size | as trained | BatchNorm re-estimated at the size |', '|---|---|---|']
        lines += [f"| {sz} | {v['as_trained']:.3f} | {v['bn_at_size']:.3f} |" for sz, v in fs['by_size'].items()]
    lines += ['', f"![accuracy against wall-clock time]({a.name}.png)"]
    (out/f'{a.name}.md').write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))

if __name__ == '__main__':
    main()

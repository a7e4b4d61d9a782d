"""Accuracy against wall-clock time at equal time: where progressive resizing wins, ties or loses.

    .venv/bin/python benchmarks/pareto.py [--per_class 60] [--valid_per_class 30] [--size 112] [--budgets 4,8,12]
                                          [--seeds 0,1,2] [--workers 2] [--final_scale 0.75] [--out benchmarks/results] [--report]

xresnet18 from scratch on the first `--per_class` training images of each class of ../shared/data/imagenette2-224-subset
(decoded every epoch), fastbook's presizing, 2 threads. For each budget B and seed, taking turns: the full-size fit of
B epochs, timed; then each progressive method on its own fresh Learner with `TimeBudgetCallback(seconds=T)`, T the
measured time of that full-size fit: training progress is the share of T spent, so the one-cycle LR and the size follow
the clock and the fit ends at T (epochs are a cap, 4 B). The methods: `ProgressiveResize()` and `fit_progressive` with
the library's defaults, and `fit_progressive(final_scale=...)`, which trains below the full size and validates at it.

Writes pareto.json after every run ({"machine", "args", "rows": [{"method", "budget_epochs", "seed", "budget_s",
"seconds", "vs_budget", "epochs", "steps", "accuracy"}]}), and at the end pareto.md (mean ± sd over seeds, each run's
real time against its budget, the difference from full size per seed, and one sentence per budget: wins, ties or loses
beyond the seed spread) and pareto.png (final accuracy against seconds: the mean and a ± sd band per method).
`--report` rebuilds the last two from the JSON.
"""
import argparse, json, statistics, subprocess, sys, tempfile, time
from pathlib import Path

import torch
from fastai.vision.all import Learner, accuracy, set_seed, xresnet18
from progressive_fastai.all import ProgressiveResize, TimeBudgetCallback
from _common import subset, machine, data_args, presized_dls, final_metric

FULL = 'full size'

def methods(final_scale:float)->tuple:
    return (FULL, 'ProgressiveResize', 'fit_progressive', f'fit_progressive, final_scale={final_scale:g}')

def _run(learn, method, n, lr, final_scale, seconds=None):
    "Train with `method`: `n` epochs, or by the clock for `seconds` (n is then a cap); seconds taken, accuracy, epochs, steps"
    cbs = [] if seconds is None else [TimeBudgetCallback(seconds=seconds)]
    t0 = time.perf_counter()
    with learn.no_bar(), learn.no_logging():
        if method == FULL: learn.fit_one_cycle(n, lr, cbs=cbs)
        elif method == 'ProgressiveResize': learn.fit_one_cycle(n, lr, cbs=[ProgressiveResize(), *cbs])
        elif method == 'fit_progressive': learn.fit_progressive(n, lr, cbs=cbs)
        else: learn.fit_progressive(n, lr, cbs=cbs, final_scale=final_scale)
    return time.perf_counter() - t0, final_metric(learn), len(learn.recorder.values), learn.train_iter

def verdict(diffs:list, spread:float)->str:
    "'wins', 'loses' or 'ties': a win or a loss only when every seed agrees and the mean is beyond the seed spread"
    m = statistics.mean(diffs)
    if all(d > 0 for d in diffs) and m > spread: return 'wins'
    if all(d < 0 for d in diffs) and -m > spread: return 'loses'
    return 'ties'

def summarize(rows, names)->list:
    "Per budget and method: epochs, seconds, time against the budget, accuracy (mean ± sd), the per-seed difference from full size, a verdict"
    out = []
    for B in sorted({r['budget_epochs'] for r in rows}):
        full = {r['seed']: r for r in rows if r['budget_epochs'] == B and r['method'] == FULL}
        spread = statistics.stdev([r['accuracy'] for r in full.values()]) if len(full) > 1 else 0.
        for m in names:
            rs = [r for r in rows if r['budget_epochs'] == B and r['method'] == m and r['seed'] in full]
            if not rs: continue
            acc, sec = [r['accuracy'] for r in rs], [r['seconds'] for r in rs]
            s = dict(budget_epochs=B, method=m, n=len(rs), epochs=sorted({r['epochs'] for r in rs}),
                     seconds=statistics.mean(sec), seconds_sd=statistics.stdev(sec) if len(sec) > 1 else 0.,
                     accuracy=statistics.mean(acc), accuracy_sd=statistics.stdev(acc) if len(acc) > 1 else 0.,
                     vs_budget=[r['vs_budget'] for r in rs])
            if m != FULL:
                diffs = [r['accuracy'] - full[r['seed']]['accuracy'] for r in rs]
                s.update(diffs=diffs, diff=statistics.mean(diffs), spread=spread, verdict=verdict(diffs, spread))
            out.append(s)
    return out

def sentence(summary)->str:
    "One sentence on where progressive resizing wins, ties or loses at equal wall-clock, read from the summary"
    parts = []
    for B in sorted({s['budget_epochs'] for s in summary}):
        ps = [s for s in summary if s['budget_epochs'] == B and 'verdict' in s]
        parts.append(f"at the time of {B} full-size epoch{'s' * (B != 1)} " + ', '.join(
            f"{s['method']} {s['verdict']} ({100 * s['diff']:+.1f} points)" for s in ps)
            + f" (seed spread {100 * ps[0]['spread']:.1f})" if ps else '')
    return 'At equal wall-clock, ' + '; '.join(parts) + '.'

def report(res, out:Path, name:str):
    "pareto.md and pareto.png from the results"
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    m, a = res['machine'], res['args']
    names = methods(a['final_scale'])
    summary = summarize(res['rows'], names)
    vs = [r['vs_budget'] for r in res['rows'] if r['method'] != FULL]
    lines = ['# Accuracy against wall-clock time at equal time', '',
             f"{m['cpu']}, {m['threads']} threads, GPU: {m['gpu'] or 'none'} (GPU rows: not measured); torch {m['torch']}, "
             f"fastai {m['fastai']}; {m['date']}, commit {m['commit'][:10]}.",
             f"xresnet18 from scratch, {a['per_class'] * 10} training / {a['valid_per_class'] * 10} validation Imagenette "
             f"images at {a['size']} px (fastbook presizing), bs {a['bs']}, lr {a['lr']}, {a['workers']} workers, seeds "
             f"{a['seeds']}. Budget: the measured time of the full-size fit of B epochs on the same seed; each progressive "
             "run follows the clock for that time (`TimeBudgetCallback`). Mean ± sd over seeds."
             + (f" Beside {a['hog']} busy-looping process{'es' * (a['hog'] > 1)} (a loaded machine)." if a.get('hog') else ''), '',
             *[f"Budget{'s' * (len(r['budgets']) > 1)} {', '.join(map(str, r['budgets']))}: {r['why']} (commit {r['machine']['commit'][:10]}, {r['machine']['date']})."
               for r in res.get('reruns', [])], '',
             sentence(summary), '',
             f"Every progressive run's real time was {min(vs):+.1%} to {max(vs):+.1%} of its budget." if vs else '', '',
             '| budget (full-size epochs) | method | epochs | seconds | time vs budget, per seed | accuracy | vs full size, per seed | verdict |',
             '|---|---|---|---|---|---|---|---|']
    for s in summary:
        per_seed = ', '.join(f"{100 * d:+.1f}" for d in s.get('diffs', []))
        lines.append(f"| {s['budget_epochs']} | {s['method']} | {', '.join(map(str, s['epochs']))} | "
                     f"{s['seconds']:.0f} ± {s['seconds_sd']:.0f} | {', '.join(f'{v:+.1%}' for v in s['vs_budget'])} | "
                     f"{s['accuracy']:.3f} ± {s['accuracy_sd']:.3f} | {per_seed} | {s.get('verdict', '')} |")
    lines += ['', f"![final accuracy against wall-clock time]({name}.png)"]
    (out/f'{name}.md').write_text('\n'.join(lines) + '\n')
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for i, meth in enumerate(names):
        ss = [s for s in summary if s['method'] == meth]
        if not ss: continue
        x = [s['seconds'] for s in ss]; y = [s['accuracy'] for s in ss]; sd = [s['accuracy_sd'] for s in ss]
        ax.plot(x, y, 'o-', color=f'C{i}', label=meth)
        ax.fill_between(x, [v - d for v, d in zip(y, sd)], [v + d for v, d in zip(y, sd)], color=f'C{i}', alpha=0.15)
    ax.set_xlabel('wall-clock seconds (training and validation)'); ax.set_ylabel('final validation accuracy')
    bs = sorted({s['budget_epochs'] for s in summary})
    ax.set_title(f"Equal wall-clock, {a['size']} px, budgets of {', '.join(map(str, bs))} full-size epochs: mean and ± sd "
                 f"over {len(a['seeds'])} seeds", fontsize=9)
    ax.grid(alpha=0.3); ax.legend(fontsize=8); fig.tight_layout(); fig.savefig(out/f'{name}.png', dpi=110)

def main():
    ap = data_args(argparse.ArgumentParser(), per_class=60, valid_per_class=30)
    ap.add_argument('--size', type=int, default=112)
    ap.add_argument('--budgets', default='4,8,12')
    ap.add_argument('--seeds', default='0,1,2')
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--final_scale', type=float, default=0.75)
    ap.add_argument('--hog', type=int, default=0, help='this many busy-looping processes beside the run (a loaded machine)')
    ap.add_argument('--name', default='pareto')
    ap.add_argument('--report', action='store_true', help='only rebuild the table and the plot from the JSON')
    a = ap.parse_args()
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    if a.report: return report(json.loads((out/f'{a.name}.json').read_text()), out, a.name)
    torch.set_num_threads(2)
    hogs = [subprocess.Popen([sys.executable, '-c', 'while True: pass']) for _ in range(a.hog)]
    try: run(a, out)
    finally:
        for h in hogs: h.kill()

def run(a, out):
    "Every budget, seed and method in turn; pareto.json after each run, the report at the end"
    path = subset(Path(a.data), Path(tempfile.mkdtemp())/'data', a.per_class, a.valid_per_class)
    args = dict(vars(a), seeds=[int(s) for s in a.seeds.split(',')], budgets=[int(b) for b in a.budgets.split(',')])
    res = dict(machine=machine(), args=args, rows=[])

    def learner(seed):
        set_seed(seed, reproducible=True)
        dls = presized_dls(path, a.size, a.bs, seed=seed, workers=a.workers)
        return Learner(dls, xresnet18(n_out=dls.c), metrics=accuracy)

    for B in args['budgets']:
        for seed in args['seeds']:
            budget = None
            for meth in methods(a.final_scale):
                seconds, acc, epochs, steps = _run(learner(seed), meth, B if budget is None else 4 * B, a.lr, a.final_scale, budget)
                if budget is None: budget = seconds   # the full-size fit's real time: the budget of the others
                row = dict(method=meth, budget_epochs=B, seed=seed, budget_s=round(budget, 2), seconds=round(seconds, 2),
                           vs_budget=round(seconds / budget - 1, 4), epochs=epochs, steps=steps, accuracy=round(acc, 4))
                res['rows'].append(row)
                print(row, flush=True)
                (out/f'{a.name}.json').write_text(json.dumps(res, indent=1))   # after every run: a partial run keeps its rows
    report(res, out, a.name)

if __name__ == '__main__':
    main()

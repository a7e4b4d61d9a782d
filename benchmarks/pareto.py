"""Accuracy against wall-clock time at longer schedules: where progressive resizing wins, ties or loses at equal time.

    .venv/bin/python benchmarks/pareto.py [--per_class 80] [--valid_per_class 40] [--size 64] [--budgets 4,8,16]
                                          [--seeds 0,1,2] [--workers 2] [--out benchmarks/results] [--report]

xresnet18 from scratch on the first `--per_class` training images of each class of ../shared/data/imagenette2-224-subset
(decoded every epoch), fastbook's presizing, 2 threads. For each budget B (the time of B full-size epochs) and seed,
taking turns: the full-size fit of B epochs, then `ProgressiveResize` and `fit_progressive`, each with the epochs
`Learner.progressive_budget(full_epochs=B)` chooses on its own fresh Learner (the timing counted in the budget: equal
wall-clock from the call on). When a busy machine's timing says not even one epoch fits, the run gets B epochs, marked.

Writes pareto.json after every run ({"machine", "args", "rows": [{"method", "budget_epochs", "epochs", "seed",
"seconds", "accuracy", ...}]}), and at the end pareto.md (mean ± sd over seeds, the difference from full size per
seed, time against the budget, and one sentence per budget: wins, ties or loses beyond the seed spread) and pareto.png
(final accuracy against seconds: the mean and a ± sd band per method). `--report` rebuilds the last two from the JSON.
"""
import argparse, json, statistics, tempfile, time
from pathlib import Path

import torch
from fastai.vision.all import Learner, accuracy, set_seed, xresnet18
from progressive_fastai.all import ProgressiveResize
from _common import subset, machine, data_args, presized_dls, final_metric

METHODS = ('full size', 'ProgressiveResize', 'fit_progressive')
BUDGET_METHOD = {'ProgressiveResize': 'resize', 'fit_progressive': 'dataloaders'}

def _run(learn, n, lr, method, cbs=()):
    "Train `n` epochs with `method`; seconds (validation included) and the final accuracy"
    t0 = time.perf_counter()
    with learn.no_bar(), learn.no_logging():
        if method == 'fit_progressive': learn.fit_progressive(n, lr, cbs=list(cbs))
        elif method == 'ProgressiveResize': learn.fit_one_cycle(n, lr, cbs=[ProgressiveResize(), *cbs])
        else: learn.fit_one_cycle(n, lr, cbs=list(cbs))
    return time.perf_counter() - t0, final_metric(learn)

def verdict(diffs:list, spread:float)->str:
    "'wins', 'loses' or 'ties': a win or a loss only when every seed agrees and the mean is beyond the seed spread"
    m = statistics.mean(diffs)
    if all(d > 0 for d in diffs) and m > spread: return 'wins'
    if all(d < 0 for d in diffs) and -m > spread: return 'loses'
    return 'ties'

def summarize(rows)->list:
    "Per budget and method: epochs, seconds, accuracy (mean ± sd), the per-seed difference from full size, and a verdict"
    out = []
    for B in sorted({r['budget_epochs'] for r in rows}):
        full = {r['seed']: r for r in rows if r['budget_epochs'] == B and r['method'] == 'full size'}
        spread = statistics.stdev([r['accuracy'] for r in full.values()]) if len(full) > 1 else 0.
        for m in METHODS:
            rs = [r for r in rows if r['budget_epochs'] == B and r['method'] == m and r['seed'] in full]
            if not rs: continue
            acc, sec = [r['accuracy'] for r in rs], [r['seconds'] for r in rs]
            s = dict(budget_epochs=B, method=m, n=len(rs), epochs=sorted({r['epochs'] for r in rs}),
                     seconds=statistics.mean(sec), seconds_sd=statistics.stdev(sec) if len(sec) > 1 else 0.,
                     accuracy=statistics.mean(acc), accuracy_sd=statistics.stdev(acc) if len(acc) > 1 else 0.,
                     vs_budget=statistics.mean(r['seconds'] / full[r['seed']]['seconds'] - 1 for r in rs),
                     fallbacks=sum('fallback' in r for r in rs))
            if m != 'full size':
                diffs = [r['accuracy'] - full[r['seed']]['accuracy'] for r in rs]
                s.update(diffs=diffs, diff=statistics.mean(diffs), spread=spread, verdict=verdict(diffs, spread))
            out.append(s)
    return out

def sentence(summary)->str:
    "One sentence on where progressive resizing wins, ties or loses at equal wall-clock, read from the summary"
    parts = []
    for B in sorted({s['budget_epochs'] for s in summary}):
        ps = [s for s in summary if s['budget_epochs'] == B and 'verdict' in s]
        parts.append(f"at the time of {B} full-size epoch{'s' * (B != 1)} " + ' and '.join(
            f"{s['method']} {s['verdict']} ({100 * s['diff']:+.1f} points, seed spread {100 * s['spread']:.1f})" for s in ps))
    return 'At equal wall-clock, ' + '; '.join(parts) + '.'

def report(res, out:Path, name:str):
    "pareto.md and pareto.png from the results"
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    summary, m, a = summarize(res['rows']), res['machine'], res['args']
    lines = ['# Accuracy against wall-clock time at longer schedules', '',
             f"{m['cpu']}, {m['threads']} threads, GPU: {m['gpu'] or 'none'} (GPU rows: not measured); torch {m['torch']}, "
             f"fastai {m['fastai']}; {m['date']}, commit {m['commit'][:10]}.",
             f"xresnet18 from scratch, {a['per_class'] * 10} training / {a['valid_per_class'] * 10} validation Imagenette "
             f"images at {a['size']} px (fastbook presizing), bs {a['bs']}, lr {a['lr']}, {a['workers']} workers, seeds "
             f"{a['seeds']}. Budget: the time of B full-size epochs; the progressive runs get the epochs "
             "`progressive_budget(full_epochs=B)` chooses (its timing counted in the budget). Mean ± sd over seeds.", '',
             sentence(summary), '',
             '| budget (full-size epochs) | method | epochs | seconds | time vs full size | accuracy | vs full size, per seed | verdict |',
             '|---|---|---|---|---|---|---|---|']
    for s in summary:
        per_seed = ', '.join(f"{100 * d:+.1f}" for d in s.get('diffs', []))
        lines.append(f"| {s['budget_epochs']} | {s['method']} | {', '.join(map(str, s['epochs']))} | "
                     f"{s['seconds']:.0f} ± {s['seconds_sd']:.0f} | {s['vs_budget']:+.1%} | "
                     f"{s['accuracy']:.3f} ± {s['accuracy_sd']:.3f} | {per_seed} | {s.get('verdict', '')} |")
    if any(s['fallbacks'] for s in summary): lines += ['', "Runs marked fallback got B epochs: the machine's timing said none fit."]
    lines += ['', f"![final accuracy against wall-clock time]({name}.png)"]
    (out/f'{name}.md').write_text('\n'.join(lines) + '\n')
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for i, meth in enumerate(METHODS):
        ss = [s for s in summary if s['method'] == meth]
        if not ss: continue
        x = [s['seconds'] for s in ss]; y = [s['accuracy'] for s in ss]; sd = [s['accuracy_sd'] for s in ss]
        ax.plot(x, y, 'o-', color=f'C{i}', label=meth)
        ax.fill_between(x, [v - d for v, d in zip(y, sd)], [v + d for v, d in zip(y, sd)], color=f'C{i}', alpha=0.2)
        for s in ss: ax.annotate(f"{s['budget_epochs']}", (s['seconds'], s['accuracy']), fontsize=7, xytext=(3, -9), textcoords='offset points')
    ax.set_xlabel('wall-clock seconds (training and validation)'); ax.set_ylabel('final validation accuracy')
    ax.set_title(f"Equal wall-clock budgets of 4-16 full-size epochs: mean and ± sd over {len(a['seeds'])} seeds", fontsize=10)
    ax.grid(alpha=0.3); ax.legend(fontsize=8); fig.tight_layout(); fig.savefig(out/f'{name}.png', dpi=110)

def main():
    ap = data_args(argparse.ArgumentParser(), per_class=80, valid_per_class=40)
    ap.add_argument('--size', type=int, default=64)
    ap.add_argument('--budgets', default='4,8,16')
    ap.add_argument('--seeds', default='0,1,2')
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--name', default='pareto')
    ap.add_argument('--report', action='store_true', help='only rebuild the table and the plot from the JSON')
    a = ap.parse_args()
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    if a.report: return report(json.loads((out/f'{a.name}.json').read_text()), out, a.name)
    torch.set_num_threads(2)
    path = subset(Path(a.data), Path(tempfile.mkdtemp())/'data', a.per_class, a.valid_per_class)
    args = dict(vars(a), seeds=[int(s) for s in a.seeds.split(',')], budgets=[int(b) for b in a.budgets.split(',')])
    res = dict(machine=machine(), args=args, rows=[])

    def learner(seed):
        set_seed(seed, reproducible=True)
        dls = presized_dls(path, a.size, a.bs, seed=seed, workers=a.workers)
        return Learner(dls, xresnet18(n_out=dls.c), metrics=accuracy)

    for B in args['budgets']:
        for seed in args['seeds']:
            for meth in METHODS:
                learn, row = learner(seed), dict(method=meth, budget_epochs=B, seed=seed)
                n = B
                if meth != 'full size':
                    t0 = time.perf_counter()
                    try:
                        b = learn.progressive_budget(full_epochs=B, method=BUDGET_METHOD[meth])
                        n = b.epochs
                        row.update(predicted_s=round(b.predicted_s, 2), budget_s=round(b.budget_s, 2), timing_s=round(b.timing_s, 2))
                    except ValueError as e: row['fallback'] = str(e)   # a busy machine's timing: B epochs, marked
                    planning = time.perf_counter() - t0
                else: planning = 0.
                seconds, acc = _run(learn, n, a.lr, meth)
                row.update(epochs=n, seconds=round(seconds + planning, 2), accuracy=round(acc, 4))
                res['rows'].append(row)
                print(row, flush=True)
                (out/f'{a.name}.json').write_text(json.dumps(res, indent=1))   # after every run: a partial run keeps its rows
    report(res, out, a.name)

if __name__ == '__main__':
    main()

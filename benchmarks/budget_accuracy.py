"""How close `Learner.progressive_budget` predicts the real wall-clock time of a fit, at full size and progressively.

    .venv/bin/python benchmarks/budget_accuracy.py [--per_class 100] [--size 64] [--epochs 3] [--workers 2] [--out benchmarks/results]

xresnet18 from scratch on the first `--per_class` training images of each class of ../shared/data/imagenette2-224-subset
(large JPEGs, decoded every epoch), fastbook's presizing, 2 threads, `--workers` DataLoader workers (fastai's default on
these machines). For each mechanism (`ProgressiveResize`, `fit_progressive`): `progressive_budget(full_epochs=epochs, by='steps')`,
then the real full-size fit of `epochs` epochs and the budget's own progressive fit. Each prediction is set against the
measured time of its fit; the seconds the timing itself took are recorded beside them.

Writes budget_accuracy.json and budget_accuracy.md to --out (with the machine, versions, date and commit).
"""
import argparse, json, statistics, tempfile, time
from pathlib import Path

import torch
from fastai.vision.all import Learner, Callback, accuracy, set_seed, xresnet18
from progressive_fastai.all import predict_fit_time, SizeSteps
from _common import subset, machine, data_args, presized_dls

def main():
    ap = data_args(argparse.ArgumentParser(), per_class=100, valid_per_class=30)
    ap.add_argument('--size', type=int, default=64)
    ap.add_argument('--epochs', type=int, default=3)
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--methods', default='resize,dataloaders')
    ap.add_argument('--rounds', type=int, default=2, help='repeat everything, taking turns between the mechanisms')
    ap.add_argument('--name', default='budget_accuracy')
    a = ap.parse_args()
    torch.set_num_threads(2)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    path = subset(Path(a.data), Path(tempfile.mkdtemp())/'data', a.per_class, a.valid_per_class)

    def learner():
        set_seed(0, reproducible=True)
        dls = presized_dls(path, a.size, a.bs, seed=0, workers=a.workers)
        return Learner(dls, xresnet18(n_out=dls.c), metrics=accuracy)

    class RealSteps(Callback):
        "The size and seconds of every training step of a real fit (end of one batch to the end of the next)"
        order = 200
        def before_fit(self): self.steps = []
        def before_train(self): self.t0 = time.perf_counter()
        def after_batch(self):
            if not self.training: return
            t = time.perf_counter(); self.steps.append((tuple(self.x.shape[-2:]), t - self.t0)); self.t0 = t

    rows, per_size = [], []
    for rnd, method in [(r, m) for r in range(a.rounds) for m in a.methods.split(',')]:
        learn = learner()
        b = learn.progressive_budget(full_epochs=a.epochs, method=method, by='steps')
        print(b.summary(), flush=True)
        full_plan = SizeSteps([a.size]).plan(a.size, a.epochs, len(learn.dls.train))
        full_pred = predict_fit_time(full_plan, b.step_times, b.valid_s)
        full = learner()
        t0 = time.perf_counter()
        with full.no_bar(), full.no_logging(): full.fit_one_cycle(a.epochs, a.lr, cbs=(rf := RealSteps()))
        full_s = time.perf_counter() - t0
        with b.learn.no_bar(), b.learn.no_logging(): b.fit(a.lr, cbs=(rp := RealSteps()))
        for fit, pred, meas, epochs in (('full size', full_pred, full_s, a.epochs), ('progressive', b.predicted_s, b.measured_s, b.epochs)):
            rows.append(dict(round=rnd, method=method, fit=fit, epochs=epochs, predicted_s=round(pred, 2), measured_s=round(meas, 2),
                             error=round(meas / pred - 1, 4), timing_s=round(b.timing_s, 2), epoch_start_s=round(b.step_times.epoch_start_s, 3),
                             valid_s=round(b.valid_s, 2)))
            print(rows[-1], flush=True)
        for size, t in b.step_times.items():   # the timed step against the steps of the real fits at that size (median)
            real = sorted(dt for s, dt in rf.steps + rp.steps if s == size)
            per_size.append(dict(round=rnd, method=method, size=f"{size[0]}x{size[1]}", timed_ms=round(t * 1000, 1),
                                 real_ms=round(real[len(real) // 2] * 1000, 1) if real else None, real_steps=len(real)))
            print(per_size[-1], flush=True)

    m = machine()
    res = dict(machine=m, args=vars(a), rows=rows, per_size=per_size)
    lines = [f"# How close progressive_budget predicts a fit's time", '',
             f"{m['cpu']}, {m['threads']} threads, GPU: {m['gpu'] or 'none'}; torch {m['torch']}, fastai {m['fastai']}; {m['date']}, commit {m['commit'][:10]}.",
             f"xresnet18 from scratch, {a.per_class * 10} training / {a.valid_per_class * 10} validation JPEGs at {a.size} px (presizing), bs {a.bs}, "
             f"{a.workers} workers, budget of {a.epochs} full-size epochs.", '',
             '| round | mechanism | fit | epochs | predicted | measured | error | timing took |', '|---|---|---|---|---|---|---|---|']
    lines += [f"| {r['round']} | {r['method']} | {r['fit']} | {r['epochs']} | {r['predicted_s']:.1f} s | {r['measured_s']:.1f} s | {r['error']:+.1%} | {r['timing_s']:.1f} s |" for r in rows]
    errs = {(r['method'], r['fit']): [] for r in rows}
    for r in rows: errs[(r['method'], r['fit'])].append(r['error'])
    res['median_error'] = {f"{k[0]}, {k[1]}": round(statistics.median(e), 4) for k, e in errs.items()}
    lines += ['', 'Median error over the rounds: ' + '; '.join(f"{k} {v:+.1%}" for k, v in res['median_error'].items()) + '.']
    fulls = [r['measured_s'] for r in rows if r['fit'] == 'full size']
    lines += [f"The same full-size fit, measured {len(fulls)} times, took {min(fulls):.1f} to {max(fulls):.1f} s "
              f"({max(fulls) / min(fulls) - 1:+.0%} between the fastest and the slowest): the machine's own run-to-run spread."]
    (out/f'{a.name}.json').write_text(json.dumps(res, indent=1))
    lines += ['', 'Step time by size: timed by `progressive_budget` against the median step of the real fits at that size.', '',
              '| round | mechanism | size | timed | real (median) | real steps |', '|---|---|---|---|---|---|']
    lines += [f"| {r['round']} | {r['method']} | {r['size']} | {r['timed_ms']} ms | {r['real_ms']} ms | {r['real_steps']} |" for r in per_size]
    (out/f'{a.name}.md').write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))

if __name__ == '__main__': main()

"""Speedup against the ideal, overhead of resizing on the fly, and the cost of a step at each size.

    .venv/bin/python benchmarks/speedup.py [--per_class 64] [--size 128] [--epochs 2] [--pairs 3] [--out benchmarks/results]

1. **Ideal vs measured.** xresnet18 from scratch at `--size` px on the first `--per_class` training images of each
   class of ../shared/data/imagenette2-224-subset, fastbook's presizing (Resize(1.25 x size) on the items,
   aug_transforms(size, min_scale=0.75) on the batch). Full size and progressive runs of the same epochs, data and
   seed, run alternately (full, progressive, full, progressive, ...) for `--pairs` pairs, for `ProgressiveResize()`
   and for `fit_progressive()` (defaults). Measured speedup = median full-size training time / median progressive
   training time (validation excluded: it is the same for both); ideal = the schedule's pixel ratio (`plan()`);
   efficiency = measured / ideal.
2. **Overhead.** Time per training step at half size, from full-size batches resized on the device by
   `resize_batch` (what `ProgressiveResize` does) vs from batches that are natively small (median of 5 rounds
   taking turns, each the median of `--steps` steps).
3. **Per-size cost.** Time per training step and images/s at each size of the default schedule, for the model alone
   (a fixed batch in memory) and for model + data (the loader `fit_progressive` builds at that size), against the
   pixel-proportional line through the full size.

Writes speedup.json, speedup.md and speedup_per_size.png to --out (with the machine, versions, date and commit).
The data-loading script (dataloading.py) and the accuracy comparisons (main job, tutorials) are separate.
"""
import argparse, json, statistics, tempfile, time
from pathlib import Path

import torch
import torch.nn.functional as F
from fastai.vision.all import Learner, accuracy, set_seed, xresnet18, defaults
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt

from progressive_fastai.all import ProgressiveResize, resize_batch
from progressive_fastai.learner import _SizedLoaders
from _common import ROOT, subset, machine, data_args, presized_dls, train_time_cb

def step_time(model, opt, batches, n, warmup=2):
    "Median seconds of a training step (forward, backward, optimizer) over `n` steps of `batches()` after `warmup`"
    times = []
    it = batches()
    for i in range(warmup + n):
        t0 = time.perf_counter()
        x, y = next(it)
        loss = F.cross_entropy(model(x), y)
        loss.backward(); opt.step(); opt.zero_grad()
        if i >= warmup: times.append(time.perf_counter() - t0)
    return statistics.median(times)

def main():
    ap = data_args(argparse.ArgumentParser(), per_class=64, valid_per_class=10)
    ap.add_argument('--size', type=int, default=128)
    ap.add_argument('--epochs', type=int, default=2)
    ap.add_argument('--pairs', type=int, default=3)
    ap.add_argument('--workers', type=int, default=defaults.cpus, help="DataLoader worker processes (default: fastai's own default, defaults.cpus)")
    ap.add_argument('--steps', type=int, default=8, help='timed steps per size for the per-size table, and per round (5 rounds) for the overhead')
    ap.add_argument('--name', default='speedup')
    ap.add_argument('--mechanisms', default='ProgressiveResize,fit_progressive',
                    help="comma-separated: ProgressiveResize, fit_progressive, fit_progressive_bs_scale (batch size grown to keep pixels per batch, max 4x)")
    ap.add_argument('--skip_tables', action='store_true', help='only the speedup pairs (no overhead and per-size tables)')
    a = ap.parse_args()
    torch.set_num_threads(2)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    path = subset(Path(a.data), tmp/'data', a.per_class, a.valid_per_class)
    S = a.size
    dls = presized_dls(path, S, a.bs, seed=0, workers=a.workers)
    n_iter = len(dls.train)
    res = dict(machine=machine(), args=vars(a), n_train=dls.train.n, steps_per_epoch=n_iter)

    # 1. ideal vs measured, alternating pairs
    def run(kind):
        set_seed(0, reproducible=True)
        learn = Learner(dls, xresnet18(n_out=dls.c), metrics=accuracy)
        tt = train_time_cb()
        t0 = time.perf_counter()
        with learn.no_bar(), learn.no_logging():
            if kind == 'full': learn.fit_one_cycle(a.epochs, 3e-3, cbs=tt)
            elif kind == 'ProgressiveResize': learn.fit_one_cycle(a.epochs, 3e-3, cbs=[ProgressiveResize(), tt])
            elif kind == 'fit_progressive': learn.fit_progressive(a.epochs, 3e-3, cbs=tt)
            else: learn.fit_progressive(a.epochs, 3e-3, cbs=tt, bs_scale=True, max_bs=4 * a.bs)
        return dict(train_s=tt.seconds, total_s=time.perf_counter() - t0)
    mechs = a.mechanisms.split(',')
    bad = set(mechs) - {'ProgressiveResize', 'fit_progressive', 'fit_progressive_bs_scale'}
    if bad: raise SystemExit(f"unknown --mechanisms {sorted(bad)}")
    plain = Learner(dls, xresnet18(n_out=dls.c))
    ideal = {'ProgressiveResize': ProgressiveResize().plan(S, a.epochs, n_iter).speedup,
             'fit_progressive': plain.progressive_plan(a.epochs).speedup,
             'fit_progressive_bs_scale': plain.progressive_plan(a.epochs, bs_scale=True, max_bs=4 * a.bs).speedup}
    run('full')   # warm-up: first-touch costs (file cache, allocator) out of the measured pairs
    speed = {}
    for mech in mechs:
        full, prog = [], []
        for p in range(a.pairs):
            full.append(run('full')); prog.append(run(mech))
            print(f"{mech} pair {p}: full {full[-1]['train_s']:.1f} s, progressive {prog[-1]['train_s']:.1f} s", flush=True)
        f_med, p_med = statistics.median(r['train_s'] for r in full), statistics.median(r['train_s'] for r in prog)
        measured = f_med / p_med
        speed[mech] = dict(full_train_s=[round(r['train_s'], 2) for r in full], progressive_train_s=[round(r['train_s'], 2) for r in prog],
                           full_total_s=[round(r['total_s'], 2) for r in full], progressive_total_s=[round(r['total_s'], 2) for r in prog],
                           ideal=round(ideal[mech], 3), measured=round(measured, 3), efficiency=round(measured / ideal[mech], 3))
    res['speedup'] = speed

    if a.skip_tables: return _write(a, res, out, S)
    # 2. overhead of resizing on the fly, at half size, model alone
    set_seed(0)
    model = xresnet18(n_out=10); opt = torch.optim.SGD(model.parameters(), lr=1e-3); model.train()
    xb_full, yb = torch.randn(a.bs, 3, S, S), torch.randint(0, 10, (a.bs,))
    half = S // 2
    xb_half = resize_batch(xb_full, size=half)[0].clone()
    def native():
        while True: yield xb_half, yb
    def on_the_fly():
        while True: yield resize_batch(xb_full, size=half)[0], yb
    natives, flies = [], []
    for _ in range(5):   # taking turns, so that a slow spell of the machine hits both
        natives.append(step_time(model, opt, native, a.steps)); flies.append(step_time(model, opt, on_the_fly, a.steps))
    t_native, t_fly = statistics.median(natives), statistics.median(flies)
    res['overhead'] = dict(size=half, native_s=round(t_native, 4), resized_on_the_fly_s=round(t_fly, 4), overhead=round(t_fly / t_native - 1, 4))
    print(res['overhead'], flush=True)

    # 3. per-size cost: model alone and model + data (fit_progressive's loader at each size)
    sizes = sorted({s[0] for s in ProgressiveResize().plan(S, 10, 100).sizes})
    loaders = _SizedLoaders(dls.train, (S, S))
    per = []
    for s in sizes:
        xb = torch.randn(a.bs, 3, s, s)
        def mem():
            while True: yield xb, yb
        def data():
            while True:
                for b in loaders((s, s), a.bs): yield b[0].as_subclass(torch.Tensor), b[1].as_subclass(torch.Tensor)
        t_m, t_d = step_time(model, opt, mem, a.steps), step_time(model, opt, data, a.steps)
        per.append(dict(size=s, model_s=round(t_m, 4), model_img_s=round(a.bs / t_m, 1), model_data_s=round(t_d, 4), model_data_img_s=round(a.bs / t_d, 1)))
        print(per[-1], flush=True)
    full_m, full_d = per[-1]['model_s'], per[-1]['model_data_s']
    for r in per:
        r['pixel_ratio'] = round((r['size'] / S) ** 2, 4)
        r['model_vs_pixels'] = round(r['model_s'] / (full_m * r['pixel_ratio']), 3)   # 1 = cost proportional to pixels
        r['model_data_vs_pixels'] = round(r['model_data_s'] / (full_d * r['pixel_ratio']), 3)
    res['per_size'] = per
    _write(a, res, out, S)

def _speed_rows(speed):
    "The speedup table: header and one row per mechanism"
    return ['| mechanism | full size, train s (runs) | progressive, train s (runs) | ideal speedup | measured (median) | efficiency |', '|---|---|---|---|---|---|'] + [
        f"| {mech} | {', '.join(map(str, r['full_train_s']))} | {', '.join(map(str, r['progressive_train_s']))} | {r['ideal']:.2f}x | {r['measured']:.2f}x | {r['efficiency']:.2f} |"
        for mech, r in speed.items()]

def _write(a, res, out, S):
    "The JSON, the Markdown table and the per-size plot"
    res['gpu'] = 'not measured' if not torch.cuda.is_available() else 'see the GPU run'
    speed, per = res['speedup'], res.get('per_size')
    (out/f'{a.name}.json').write_text(json.dumps(res, indent=1))
    if per is None:
        m = res['machine']
        lines = [f"# Speedup against the ideal", '', f"{m['cpu']}, {m['threads']} threads; torch {m['torch']}, fastai {m['fastai']}; {m['date']}, commit {m['commit'][:10]}.",
                 f"xresnet18, {res['n_train']} images at {S} px, bs {a.bs}, {a.epochs} epochs, {a.pairs} alternating pairs, num_workers {a.workers}. Training time only.", '']
        lines += _speed_rows(speed)
        (out/f'{a.name}.md').write_text('\n'.join(lines) + '\n'); print('\n'.join(lines))
        return
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    xs = [r['size'] for r in per]
    for key, label, c in (('model_s', 'model alone', 'C0'), ('model_data_s', 'model + data', 'C1')):
        ys = [r[key] * 1000 for r in per]
        ax.plot(xs, ys, 'o-', color=c, label=f'{label} (measured)')
        ax.plot(xs, [ys[-1] * (x / S) ** 2 for x in xs], '--', color=c, alpha=0.6, label=f'{label} (pixel-proportional)')
    ax.set_xlabel('training size (px)'); ax.set_ylabel('ms per step (bs %d)' % a.bs); ax.grid(alpha=0.3); ax.legend(fontsize=8)
    ax.set_title(f"xresnet18, time per training step by size ({res['machine']['threads']} CPU threads)", fontsize=10)
    fig.tight_layout(); fig.savefig(out/f'{a.name}_per_size.png', dpi=110)

    m = res['machine']
    lines = [f"# Speedup against the ideal, overhead, per-size cost", '',
             f"{m['cpu']}, {m['threads']} threads, GPU: {m['gpu'] or 'none'}; torch {m['torch']}, fastai {m['fastai']}; {m['date']}, commit {m['commit'][:10]}.",
             f"xresnet18 from scratch, {res['n_train']} training images at {S} px (presizing), bs {a.bs}, {a.epochs} epochs, {a.pairs} alternating pairs, "
             f"num_workers {a.workers}. Training time only (validation excluded).", '']
    lines += _speed_rows(speed)
    o = res['overhead']
    lines += ['', f"**Overhead** of resizing on the fly at {o['size']} px (model alone): {o['native_s'] * 1000:.1f} ms per step from native "
              f"{o['size']} px batches, {o['resized_on_the_fly_s'] * 1000:.1f} ms from {S} px batches resized by `resize_batch`: {o['overhead'] * 100:+.1f}%.", '',
              '| size | model alone, ms/step | images/s | vs pixel-proportional | model + data, ms/step | images/s | vs pixel-proportional |', '|---|---|---|---|---|---|---|']
    for r in per:
        lines.append(f"| {r['size']} | {r['model_s'] * 1000:.1f} | {r['model_img_s']} | {r['model_vs_pixels']:.2f} | {r['model_data_s'] * 1000:.1f} | {r['model_data_img_s']} | {r['model_data_vs_pixels']:.2f} |")
    lines += ['', f"GPU (bf16 autocast, channels_last, torch.compile): {res['gpu']}.", '', f"![per-size cost]({a.name}_per_size.png)"]
    (out/f'{a.name}.md').write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))

if __name__ == '__main__':
    main()

"""The GPU benchmark in one run (`benchmarks/gpu.sh`, at most 8 minutes on one GPU): what each size of the default
schedule costs on a GPU, whether the data loader keeps up, and what a new shape costs the first time.

    benchmarks/gpu.sh [--smoke] [--size 224] [--bs 64] [--steps 10] [--workers CORES-1] [--out benchmarks/results]

On ../shared/data/imagenette2-224-subset (nothing downloaded), from scratch, AMP (bf16) and channels_last on a GPU:
- `step`: seconds per training step at each size of `ProgressiveResize()`'s default schedule, for `xresnet50` and
  torchvision's `resnet34`: the model alone (a batch already on the GPU) and with the loader (`measure_step_times`,
  `num_workers` = cores - 1);
- `loader`: seconds per batch of the training loader alone at each size (`measure_loader_time`), for both mechanisms,
  `fit_progressive` with and without draft decoding;
- `speedup`: a 3-epoch fit at full size against each mechanism, two pairs each, training time against the ideal;
- `first_step`: the first step at each new shape against the steady step, with `cudnn.benchmark` on and off;
- `compile`: `torch.compile`'s graphs and the first step at each size (recompiles).
`--smoke` runs all of it on the CPU on a few images at 32 px (compile with the 'eager' backend), to check the script.
Writes gpu.json and gpu.md (or smoke.json / smoke.md with --name) with the machine and commit.
"""
import argparse, json, os, statistics, tempfile, time
from pathlib import Path

import torch, torch._dynamo
from fastai.vision.all import Learner, accuracy, xresnet50, MixedPrecision, ChannelsLast
from torchvision.models import resnet34
from progressive_fastai.all import ProgressiveResize, SizeSchedule, measure_step_times, measure_loader_time
from _common import subset, machine, presized_dls, train_time_cb

ARCHS = {'xresnet50': lambda c: xresnet50(n_out=c), 'resnet34': lambda c: resnet34(num_classes=c)}

def _sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize()

def model_steps(model, size, bs, n, dev, amp):
    "Seconds of each of `n` training steps of `model` alone at `size` (a batch already on the device), the first included"
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    x = torch.randn(bs, 3, *size, device=dev).to(memory_format=torch.channels_last if dev.type == 'cuda' else torch.contiguous_format)
    y = torch.randint(0, 10, (bs,), device=dev)
    out = []
    for _ in range(n):
        _sync(dev); t0 = time.perf_counter()
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=amp):
            loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward(); opt.step(); opt.zero_grad()
        _sync(dev); out.append(time.perf_counter() - t0)
    return out

def learner(path, a, arch, dev, gpu):
    dls = presized_dls(path, a.size, a.bs, workers=a.workers)
    dls.to(dev)
    cbs = [MixedPrecision(amp_mode='bf16'), ChannelsLast()] if gpu else []
    return Learner(dls, ARCHS[arch](dls.c), metrics=accuracy, cbs=cbs)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--smoke', action='store_true', help='a few images at 32 px on the CPU: checks the script, measures nothing')
    ap.add_argument('--data', default=str(Path(__file__).resolve().parent.parent.parent/'shared'/'data'/'imagenette2-224-subset'))
    ap.add_argument('--size', type=int, default=224)
    ap.add_argument('--bs', type=int, default=64)
    ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--workers', type=int, default=max(0, (os.cpu_count() or 1) - 1))
    ap.add_argument('--per_class', type=int, default=260)
    ap.add_argument('--out', default=str(Path(__file__).resolve().parent/'results'))
    ap.add_argument('--name', default='gpu')
    a = ap.parse_args()
    if a.smoke: a.size, a.bs, a.steps, a.per_class, a.workers = 32, 4, 2, 6, 0
    gpu = torch.cuda.is_available() and not a.smoke
    dev = torch.device('cuda' if gpu else 'cpu')
    path = subset(Path(a.data), Path(tempfile.mkdtemp())/'data', a.per_class, max(1, a.per_class // 5))
    sizes = sorted(set(SizeSchedule().plan(a.size, 1, 512).sizes))
    res = dict(machine=machine(), args=vars(a), sizes=[list(s) for s in sizes], step={}, loader={}, speedup={},
               first_step={}, compile={})
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    save = lambda: (out/f'{a.name}.json').write_text(json.dumps(res, indent=1))
    for arch in ARCHS:
        model = ARCHS[arch](10).to(dev).to(memory_format=torch.channels_last)
        alone = {f'{h}x{w}': statistics.median(model_steps(model, (h, w), a.bs, a.steps + 2, dev, gpu)[2:]) for h, w in sizes}
        learn = learner(path, a, arch, dev, gpu)
        loaded = measure_step_times(learn, sizes, n_steps=a.steps)
        res['step'][arch] = dict(model_alone_s=alone, with_loader_s={f'{h}x{w}': t for (h, w), t in loaded.items()})
        save()
    learn = learner(path, a, 'xresnet50', dev, gpu)
    for name, kw in (('ProgressiveResize', dict(method='resize')), ('fit_progressive', dict(method='dataloaders')),
                     ('fit_progressive, draft', dict(method='dataloaders', draft=True))):
        res['loader'][name] = {f'{h}x{w}': t for (h, w), t in measure_loader_time(learn, sizes, **kw).items()}
    save()
    for name in ('ProgressiveResize', 'fit_progressive'):
        pairs = []
        for _ in range(2):
            times = {}
            for kind in ('full size', name):
                l, tt = learner(path, a, 'xresnet50', dev, gpu), train_time_cb()
                with l.no_bar(), l.no_logging():
                    if kind == 'full size': l.fit_one_cycle(3, 1e-3, cbs=tt)
                    elif kind == 'ProgressiveResize': l.fit_one_cycle(3, 1e-3, cbs=[ProgressiveResize(), tt])
                    else: l.fit_progressive(3, 1e-3, cbs=tt)
                times[kind] = tt.seconds
            pairs.append(times['full size'] / times[name])
        l = learner(path, a, 'xresnet50', dev, gpu)
        ideal = (ProgressiveResize().plan(a.size, 3, len(l.dls.train)) if name == 'ProgressiveResize' else l.progressive_plan(3)).speedup
        res['speedup'][name] = dict(pairs=pairs, ideal=ideal, efficiency=[p / ideal for p in pairs])
        save()
    for bench in (True, False):
        torch.backends.cudnn.benchmark = bench
        model = ARCHS['xresnet50'](10).to(dev).to(memory_format=torch.channels_last)
        row = {}
        for h, w in sizes:
            ts = model_steps(model, (h, w), a.bs, a.steps, dev, gpu)
            row[f'{h}x{w}'] = dict(first_s=ts[0], steady_s=statistics.median(ts[1:]))
        res['first_step'][f'cudnn.benchmark={bench}'] = row
    save()
    torch._dynamo.reset()
    model = torch.compile(ARCHS['xresnet50'](10).to(dev).to(memory_format=torch.channels_last), backend='inductor' if gpu else 'eager')
    firsts = {f'{h}x{w}': model_steps(model, (h, w), a.bs, 1, dev, gpu)[0] for h, w in sizes}
    stats = torch._dynamo.utils.counters['stats']
    res['compile'] = dict(first_step_s=firsts, unique_graphs=int(stats.get('unique_graphs', 0)), backend='inductor' if gpu else 'eager')
    save()
    report(res, out, a.name)

def report(res, out, name):
    "gpu.md: one table per part, from the results"
    m, sizes = res['machine'], list(res['step'][next(iter(res['step']))]['model_alone_s'])
    ms = lambda v: f"{1000 * v:.1f}"
    lines = [f"# GPU benchmark", '', f"{m['gpu'] or 'no GPU (smoke run on the CPU: these numbers measure nothing)'}, "
             f"{m['cpu']}; torch {m['torch']}, fastai {m['fastai']}; {m['date']}, commit {m['commit'][:10]}. "
             f"{res['args']['size']} px, bs {res['args']['bs']}, {res['args']['workers']} workers.", '',
             '## ms per training step', '', '| model | | ' + ' | '.join(sizes) + ' |', '|---|---|' + '---|' * len(sizes)]
    for arch, r in res['step'].items():
        lines.append(f"| {arch} | model alone | " + ' | '.join(ms(r['model_alone_s'][s]) for s in sizes) + ' |')
        lines.append(f"| {arch} | with the loader | " + ' | '.join(ms(r['with_loader_s'][s]) for s in sizes) + ' |')
    lines += ['', '## ms per batch of the loader alone', '', '| mechanism | ' + ' | '.join(sizes) + ' |', '|---|' + '---|' * len(sizes)]
    lines += [f"| {k} | " + ' | '.join(ms(v[s]) for s in sizes) + ' |' for k, v in res['loader'].items()]
    lines += ['', '## 3-epoch fit: speedup in training time (two pairs) against the ideal', '', '| mechanism | pairs | ideal | efficiency |', '|---|---|---|---|']
    lines += [f"| {k} | {', '.join(f'{p:.2f}x' for p in v['pairs'])} | {v['ideal']:.2f}x | {', '.join(f'{e:.2f}' for e in v['efficiency'])} |"
              for k, v in res['speedup'].items()]
    lines += ['', '## First step at each new shape (xresnet50), ms: first / steady', '', '| | ' + ' | '.join(sizes) + ' |', '|---|' + '---|' * len(sizes)]
    lines += [f"| {k} | " + ' | '.join(f"{ms(v[s]['first_s'])} / {ms(v[s]['steady_s'])}" for s in sizes) + ' |' for k, v in res['first_step'].items()]
    c = res['compile']
    lines += ['', f"## torch.compile ({c['backend']})", '', f"{c['unique_graphs']} graphs for {len(sizes)} sizes; first step at each size, ms: "
              + ', '.join(f"{s} {ms(t)}" for s, t in c['first_step_s'].items()) + '.']
    (out/f'{name}.md').write_text('\n'.join(lines) + '\n')

if __name__ == '__main__':
    main()

# Published figures the prediction rests on (each cited on the benchmarks page)
GPU_IMAGES_S = {'A100, ResNet-50, AMP': 2500, 'RTX 3090, ResNet-50, AMP': 1218}   # training images/s at 224 px
DECODE_PER_CORE = 400   # JPEG decode + random-resized crop, images/s per CPU core (Pillow)

def predict(cores:int, gpu_images_s:float, loader_per_core:float, small_gain:float, plan)->dict:
    """Predicted speedup per epoch of each mechanism on one GPU and `cores` CPU cores (one left to the main process).
    A step takes the longer of the GPU's time (in proportion to its pixels) and the loader's. `ProgressiveResize`
    decodes at full size at every step; `fit_progressive` decodes `small_gain` times faster at half the side, linearly
    in pixels between. Full size is the same fit with every step at full size."""
    full = plan.full_size[0] * plan.full_size[1]
    loader = max(cores - 1, 1) * loader_per_core
    def step_s(frac, gain): return 1 / min(gpu_images_s / frac, loader * gain)
    gain = lambda f: 1 + (small_gain - 1) * (1 - f) / (1 - 0.25)   # 1 at full size, small_gain at a quarter of the pixels
    fracs = [h * w / full for h, w in plan.sizes]
    t_full = len(fracs) * step_s(1, 1)
    return {'ProgressiveResize': t_full / sum(step_s(f, 1) for f in fracs),
            'fit_progressive': t_full / sum(step_s(f, gain(f)) for f in fracs),
            'ideal': plan.speedup, 'full size limited by': 'loader' if loader < gpu_images_s else 'GPU'}

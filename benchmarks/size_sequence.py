"""The size sequence a default `ProgressiveResize()` run really feeds the model on 224 px images.

    .venv/bin/python benchmarks/size_sequence.py [--epochs 5] [--out benchmarks/results]

Trains a small CNN (the point is the sizes, not the accuracy) on ../shared/data/imagenette2-224-subset with
`ProgressiveResize()` at its defaults, records the (h, w) the model received at every training step with a
forward hook, and compares it with `plan()`. Writes size_sequence.json and size_sequence.md.
"""
import argparse, json, platform, time
from pathlib import Path
import torch
from fastai.vision.all import ImageDataLoaders, Resize, Learner, accuracy
import fastai.callback.schedule  # noqa: F401
from progressive_fastai.all import ProgressiveResize
from progressive_fastai.testing import tiny_cnn, ShapeProbe

ROOT = Path(__file__).resolve().parent.parent

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default=str(ROOT.parent/'shared'/'data'/'imagenette2-224-subset'))
    ap.add_argument('--epochs', type=int, default=5)
    ap.add_argument('--bs', type=int, default=64)
    ap.add_argument('--out', default=str(ROOT/'benchmarks'/'results'))
    a = ap.parse_args()
    torch.set_num_threads(2)
    dls = ImageDataLoaders.from_folder(a.data, train='train', valid='val', bs=a.bs, num_workers=0, seed=0, item_tfms=Resize(224))
    learn, cb, probe = Learner(dls, tiny_cnn(dls.c), metrics=accuracy), ProgressiveResize(verbose=True), ShapeProbe()
    start = time.perf_counter()
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(a.epochs, 3e-3, cbs=[cb, probe])
    secs = time.perf_counter() - start
    plan = cb.plan((224, 224), a.epochs, len(dls.train))
    seen = probe.train_sizes
    stages = []
    for i, s in enumerate(seen):
        if not stages or stages[-1]['size'] != s: stages.append(dict(size=s, first_step=i, first_epoch=round(i / len(dls.train), 3), steps=0))
        stages[-1]['steps'] += 1
    res = dict(machine=dict(cpu=platform.machine(), threads=torch.get_num_threads(), torch=torch.__version__),
               epochs=a.epochs, n_iter=len(dls.train), steps=len(seen), matches_plan=seen == plan.sizes,
               valid_sizes=sorted(set(probe.valid_sizes)), plan_summary=plan.summary(), stages=stages, seconds=round(secs, 1))
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    (out/'size_sequence.json').write_text(json.dumps(res, indent=1, default=list))
    md = [f"# Sizes a default ProgressiveResize() run fed the model (224 px, {a.epochs} epochs x {len(dls.train)} steps)", '',
          f"Plan: {plan.summary()}", f"Measured by a forward hook; equal to plan() at every step: {res['matches_plan']}; "
          f"validation sizes: {res['valid_sizes']}.", '', '| size | first step | first epoch | steps |', '|---|---|---|---|']
    md += [f"| {s['size'][0]}x{s['size'][1]} | {s['first_step']} | {s['first_epoch']} | {s['steps']} |" for s in stages]
    (out/'size_sequence.md').write_text('\n'.join(md) + '\n')
    print('\n'.join(md))

if __name__ == '__main__': main()

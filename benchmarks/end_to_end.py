"""End-to-end time of a short run: full size vs ProgressiveResize (batch level) vs fit_progressive (DataLoaders
rebuilt, with and without draft decoding), same epochs, same model, same seed.

    .venv/bin/python benchmarks/end_to_end.py [--per_class 60] [--epochs 3] [--arch resnet18] [--out benchmarks/results]

Uses the first `--per_class` training images of each class of ../shared/data/imagenette2-224-subset (all of
them with --per_class 260) and `--valid_per_class` validation images; random init (no downloads).
Writes end_to_end.json and end_to_end.md to --out.
"""
import argparse, json, platform, shutil, tempfile, time
from pathlib import Path

import torch
from fastai.vision.all import (ImageDataLoaders, Resize, aug_transforms, vision_learner, resnet18, resnet34, accuracy,
                               set_seed)

from fastai.vision.all import Learner
from progressive_fastai.all import ProgressiveResize
from progressive_fastai.testing import tiny_cnn
import progressive_fastai.learner  # noqa: F401  (Learner.fit_progressive)

from _common import ROOT, subset, data_args

def main():
    ap = data_args(argparse.ArgumentParser(), per_class=60, valid_per_class=20)
    ap.add_argument('--epochs', type=int, default=3)
    ap.add_argument('--arch', default='resnet18', help="resnet18, resnet34, or tiny (a small CNN: data loading dominates)")
    ap.add_argument('--initial_scale', type=float, default=0.5)
    ap.add_argument('--size_increment', type=int, default=32)
    ap.add_argument('--workers', type=int, default=0)
    ap.add_argument('--only', default='', help='comma-separated subset of run names')
    a = ap.parse_args()
    torch.set_num_threads(2)
    arch = dict(resnet18=resnet18, resnet34=resnet34).get(a.arch)
    tmp = Path(tempfile.mkdtemp())
    path = subset(Path(a.data), tmp/'data', a.per_class, a.valid_per_class)
    def make_learner():
        set_seed(42, reproducible=True)
        dls = ImageDataLoaders.from_folder(path, train='train', valid='val', bs=a.bs, num_workers=a.workers, seed=42,
                                           item_tfms=Resize(224), batch_tfms=aug_transforms(size=224))
        if a.arch == 'tiny': return Learner(dls, tiny_cnn(dls.c, width=32), metrics=accuracy)
        return vision_learner(dls, arch, pretrained=False, metrics=accuracy)
    sched = dict(initial_scale=a.initial_scale, size_increment=a.size_increment)
    runs = {
        'full size': lambda l: l.fit_one_cycle(a.epochs, 3e-3),
        'ProgressiveResize (batch)': lambda l: l.fit_one_cycle(a.epochs, 3e-3, cbs=ProgressiveResize(**sched)),
        'fit_progressive (DataLoaders)': lambda l: l.fit_progressive(a.epochs, 3e-3, **sched),
        'fit_progressive + draft': lambda l: l.fit_progressive(a.epochs, 3e-3, draft=True, **sched),
    }
    if a.only: runs = {k: v for k, v in runs.items() if k in a.only.split(',')}
    rows = []
    for name, run in runs.items():
        learn = make_learner()
        start = time.perf_counter()
        with learn.no_bar(), learn.no_logging(): run(learn)
        secs = time.perf_counter() - start
        sizes = getattr(learn.recorder, 'sizes', None) if name != 'full size' else None
        rows.append(dict(run=name, seconds=round(secs, 1), accuracy=round(float(learn.recorder.values[-1][list(learn.recorder.metric_names[1:]).index('accuracy')]), 4),
                         train_loss=round(float(learn.recorder.values[-1][0]), 4),
                         sizes=sorted({s[0] for s in sizes}) if sizes else [224]))
        print(rows[-1], flush=True)
    base = next((r['seconds'] for r in rows if r['run'] == 'full size'), None)
    for r in rows: r['speedup_vs_full'] = round(base / r['seconds'], 2) if base else None
    shutil.rmtree(tmp, ignore_errors=True)
    machine = dict(cpu=platform.processor() or platform.machine(), threads=torch.get_num_threads(), torch=torch.__version__,
                   gpu=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None)
    res = dict(machine=machine, data=f"{Path(a.data).name}: {a.per_class}/class train, {a.valid_per_class}/class valid",
               arch=a.arch, epochs=a.epochs, bs=a.bs, num_workers=a.workers, pipeline='Resize(224) + aug_transforms(size=224)',
               schedule=f'initial_scale {a.initial_scale}, finetune_fraction 0.2, linear, size_increment {a.size_increment}', runs=rows)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    tag = '' if a.arch == 'resnet18' else f'_{a.arch}'
    (out/f'end_to_end{tag}.json').write_text(json.dumps(res, indent=1))
    md = [f"# End-to-end: {a.arch}, {a.epochs} epochs, {res['data']}", '', f"Machine: {machine}; bs {a.bs}, num_workers {a.workers}, "
          f"pipeline {res['pipeline']}, schedule {res['schedule']}, random init.", '',
          '| run | seconds | speedup vs full size | sizes | valid accuracy |', '|---|---|---|---|---|']
    md += [f"| {r['run']} | {r['seconds']} | {r['speedup_vs_full']}x | {r['sizes']} | {r['accuracy']} |" for r in rows]
    (out/f'end_to_end{tag}.md').write_text('\n'.join(md) + '\n')
    print('\n'.join(md))

if __name__ == '__main__': main()

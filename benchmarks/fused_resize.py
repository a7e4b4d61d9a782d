"""Does one resample instead of two cost accuracy? `ProgressiveResize` with its resize fused into fastai's batch
augmentation (the default) against resizing the augmented batch again (`fuse=False`), at equal epochs.

    .venv/bin/python benchmarks/fused_resize.py [--per_class 80] [--valid_per_class 40] [--size 64] [--epochs 5]
                                                [--seeds 0,1,2] [--workers 2] [--out benchmarks/results]

xresnet18 from scratch on the first `--per_class` training images of each class of ../shared/data/imagenette2-224-subset,
fastbook's presizing (`Resize(1.25 x size)` on the items, `aug_transforms(size, min_scale=0.75)` on the batch), 2
threads; per seed, the two paths take turns. Writes fused_resize.json and fused_resize.md (accuracy mean ± sd over
seeds, the per-seed difference, and the training seconds, which on a shared machine are only indicative).
"""
import argparse, json, statistics, tempfile, time
from pathlib import Path

import torch
from fastai.vision.all import Learner, accuracy, set_seed, xresnet18
from progressive_fastai.all import ProgressiveResize
from _common import subset, machine, data_args, presized_dls, final_metric, train_time_cb

def main():
    ap = data_args(argparse.ArgumentParser(), per_class=80, valid_per_class=40)
    ap.add_argument('--size', type=int, default=64)
    ap.add_argument('--epochs', type=int, default=5)
    ap.add_argument('--seeds', default='0,1,2')
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--name', default='fused_resize')
    a = ap.parse_args()
    torch.set_num_threads(2)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    path = subset(Path(a.data), Path(tempfile.mkdtemp())/'data', a.per_class, a.valid_per_class)
    seeds, rows = [int(s) for s in a.seeds.split(',')], []
    for seed in seeds:
        for fuse in (True, False):
            set_seed(seed, reproducible=True)
            dls = presized_dls(path, a.size, a.bs, seed=seed, workers=a.workers)
            learn, tt = Learner(dls, xresnet18(n_out=dls.c), metrics=accuracy), train_time_cb()
            with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(a.epochs, a.lr, cbs=[ProgressiveResize(fuse=fuse), tt])
            acc = final_metric(learn)
            rows.append(dict(seed=seed, fuse=fuse, accuracy=round(acc, 4), train_s=round(tt.seconds, 2)))
            print(rows[-1], flush=True)
    by = lambda f, k: [r[k] for r in rows if r['fuse'] == f]
    diffs = [round(x - y, 4) for x, y in zip(by(True, 'accuracy'), by(False, 'accuracy'))]
    sd = lambda xs: statistics.stdev(xs) if len(xs) > 1 else 0.
    res = dict(machine=machine(), args=vars(a), rows=rows, diffs=diffs,
               summary={name: dict(accuracy=statistics.mean(by(f, 'accuracy')), accuracy_sd=sd(by(f, 'accuracy')),
                                   train_s=statistics.mean(by(f, 'train_s'))) for name, f in (('fused', True), ('resized again', False))})
    (out/f'{a.name}.json').write_text(json.dumps(res, indent=1))
    m, s = res['machine'], res['summary']
    lines = ['# One resample or two: ProgressiveResize fused into fastai\'s augmentation, at equal epochs', '',
             f"{m['cpu']}, {m['threads']} threads, GPU: {m['gpu'] or 'none'}; torch {m['torch']}, fastai {m['fastai']}; "
             f"{m['date']}, commit {m['commit'][:10]}.",
             f"xresnet18 from scratch, {a.per_class * 10} training / {a.valid_per_class * 10} validation Imagenette images "
             f"at {a.size} px (presizing, aug_transforms(min_scale=0.75)), {a.epochs} epochs, bs {a.bs}, lr {a.lr}, seeds {seeds}.", '',
             '| path | accuracy (mean ± sd) | training seconds (indicative) |', '|---|---|---|']
    lines += [f"| {k} | {v['accuracy']:.3f} ± {v['accuracy_sd']:.3f} | {v['train_s']:.0f} |" for k, v in s.items()]
    lines += ['', f"Fused minus resized again, per seed: {', '.join(f'{100 * d:+.1f}' for d in diffs)} points "
                  f"(mean {100 * statistics.mean(diffs):+.1f})."]
    (out/f'{a.name}.md').write_text('\n'.join(lines) + '\n')

if __name__ == '__main__':
    main()

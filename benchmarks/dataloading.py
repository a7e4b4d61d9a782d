"""Throughput of the training DataLoader alone (images/s) at full and half size, with and without JPEG
draft decoding, on ../shared/data/imagenette2-224-subset; and the image quality of draft decoding.

    .venv/bin/python benchmarks/dataloading.py [--data PATH] [--batches 12] [--workers 0] [--out benchmarks/results]

Nothing is trained: each configuration iterates `--batches` batches of the training loader (after a
warm-up batch). All files are read once first (so no configuration pays for a cold disk cache), the
configurations take turns over `--rounds` rounds, and the median images per second is reported. Writes dataloading.json and dataloading.md to --out.
"""
import argparse, json, math, platform, time
from pathlib import Path

import numpy as np
import torch
from fastai.vision.all import ImageDataLoaders, Resize, aug_transforms, PILImage, get_image_files

from progressive_fastai.learner import _SizedLoaders, _DraftCreate
from progressive_fastai.resize import resize_batch

ROOT = Path(__file__).resolve().parent.parent

def machine():
    return dict(cpu=platform.processor() or platform.machine(), cores=torch.get_num_threads(), python=platform.python_version(),
                torch=torch.__version__, gpu=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None)

def throughput(dl, n_batches, size, post=None):
    "Images per second over `n_batches` batches of `dl`, after one warm-up batch; every batch must be `size`"
    it = iter(dl)
    next(it)
    n, start = 0, time.perf_counter()
    for _ in range(n_batches):
        xb, yb = next(it)
        if post is not None: xb, yb = post(xb, yb)
        assert tuple(xb.shape[-2:]) == size, f"expected {size} batches, got {tuple(xb.shape)}"
        n += xb.shape[0]
    return n / (time.perf_counter() - start)

def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float('inf') if mse == 0 else 10 * math.log10(255 ** 2 / mse)

def quality(files, size):
    "Draft decode + Resize vs full decode + Resize (both center crop, as validation): PSNR and mean abs difference"
    rs = Resize(size)
    draft = _DraftCreate(PILImage, (size, size))
    ps, mads, drafted = [], [], 0
    for f in files:
        full = np.array(rs(PILImage.create(f), split_idx=1))
        d_img = draft(f)
        drafted += d_img.size[0] < PILImage.create(f).size[0]
        dr = np.array(rs(d_img, split_idx=1))
        ps.append(psnr(full, dr)); mads.append(np.abs(full.astype(int) - dr.astype(int)).mean())
    ps = [p for p in ps if math.isfinite(p)]
    return dict(n_images=len(files), drafted=int(drafted), psnr_mean_db=round(float(np.mean(ps)), 2),
                psnr_min_db=round(float(np.min(ps)), 2), mean_abs_diff=round(float(np.mean(mads)), 3))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default=str(ROOT.parent/'shared'/'data'/'imagenette2-224-subset'))
    ap.add_argument('--batches', type=int, default=12)
    ap.add_argument('--bs', type=int, default=64)
    ap.add_argument('--workers', type=int, default=0)
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--out', default=str(ROOT/'benchmarks'/'results'))
    a = ap.parse_args()
    torch.set_num_threads(2)
    dls = ImageDataLoaders.from_folder(a.data, train='train', valid='val', bs=a.bs, num_workers=a.workers, seed=0,
                                       item_tfms=Resize(224), batch_tfms=aug_transforms(size=224))
    full, half = (224, 224), (112, 112)
    for f in get_image_files(a.data): Path(f).read_bytes()   # warm the OS file cache for every configuration alike
    plain = _SizedLoaders(dls.train, full)
    drafted = _SizedLoaders(dls.train, full, draft=True)
    configs = [('full size 224 (the original DataLoader)', dls.train, full, None),
               ('ProgressiveResize at 112: full-size pipeline + resize_batch', dls.train, half, lambda x, y: resize_batch(x, y, half)),
               ('fit_progressive at 112: DataLoader rebuilt at 112', plain(half, a.bs), half, None),
               ('fit_progressive at 112 + draft decoding', drafted(half, a.bs), half, None)]
    runs = {name: [] for name, *_ in configs}
    for r in range(a.rounds):
        for name, dl, size, post in configs:
            runs[name].append(throughput(dl, a.batches, size, post))
            print(f"round {r}: {name:<58} {runs[name][-1]:8.1f} images/s", flush=True)
    rows = [dict(config=name, images_per_s=round(float(np.median(v)), 1), all_rounds=[round(x, 1) for x in v]) for name, v in runs.items()]
    base = rows[0]['images_per_s']
    for r in rows: r['vs_full'] = round(r['images_per_s'] / base, 2)
    files = sorted(get_image_files(Path(a.data)/'val'))[::5][:200]
    q = quality(files, 112)
    print('draft decoding quality at 112 vs full decode + resize:', q)
    res = dict(machine=machine(), data=Path(a.data).name, bs=a.bs, num_workers=a.workers, batches=a.batches, rounds=a.rounds,
               pipeline='item_tfms=Resize(224), batch_tfms=aug_transforms(size=224)', throughput=rows, draft_quality_112=q)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    (out/f'dataloading_w{a.workers}.json').write_text(json.dumps(res, indent=1))
    md = [f"# Training DataLoader throughput ({res['data']}, bs {a.bs}, num_workers {a.workers})", '',
          f"Machine: {res['machine']}", f"Pipeline: `{res['pipeline']}`; {a.batches} batches after a warm-up batch, files pre-read, median of {a.rounds} interleaved rounds.", '',
          '| configuration | images/s (median) | vs full size | rounds |', '|---|---|---|---|']
    md += [f"| {r['config']} | {r['images_per_s']} | {r['vs_full']}x | {r['all_rounds']} |" for r in rows]
    md += ['', f"Draft decoding at 112 px vs full decode + resize, {q['n_images']} validation images "
               f"({q['drafted']} decoded at reduced size): PSNR mean {q['psnr_mean_db']} dB, min {q['psnr_min_db']} dB, "
               f"mean absolute difference {q['mean_abs_diff']} (0-255 scale).", '']
    (out/f'dataloading_w{a.workers}.md').write_text('\n'.join(md))
    print('\n'.join(md))

if __name__ == '__main__': main()

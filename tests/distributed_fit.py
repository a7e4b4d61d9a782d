"""Run by tests/test_distributed.py under `python -m torch.distributed.run --nproc_per_node 2`: fit progressively
(mode: `sizes` or `bs_scale` with fit_progressive, `clock` with fit_progressive by the clock, `callback` with ProgressiveResize, `mixed` with
ProgressiveResize(size_jitter=...) and SizeAwareRegularization on a model with dropout) inside `learn.distrib_ctx()` (gloo on CPU) and write, for this rank, the size and batch size of every training step
as gathered from all ranks, the items this rank trained on, and the plan of a single-process fit."""
import json, os, sys
from pathlib import Path
import torch, torch.distributed as dist
from fastai.learner import Learner
from fastai.distributed import DistributedDL
from fastai.vision.augment import Resize
from fastai.vision.data import ImageDataLoaders
from fastai.callback.core import Callback
import fastai.distributed  # noqa: F401  (Learner.distrib_ctx)
from progressive_fastai.all import *  # noqa: F403
from progressive_fastai.testing import tiny_cnn

def _cpu_broadcast(self, t, rank):
    "fastai's DistributedDL broadcasts with `.cuda()` (nccl only); on a CPU-only machine use gloo's CPU tensors"
    t = torch.tensor(t, dtype=torch.long)
    dist.broadcast(t, rank)
    return t.tolist()
if not torch.cuda.is_available(): DistributedDL._broadcast = _cpu_broadcast   # fit_progressive takes each epoch's order from DistributedDL.get_idxs, which broadcasts

class StepLog(Callback):
    "This rank's training input size and batch size at every step, and its share of the items in every epoch"
    order = 99
    def before_fit(self): self.steps, self.shards, self.n_iters = [], [], []
    def before_train(self):
        self.shards.append(list(getattr(self.learn.dl, 'idxs', [])))   # ProgressiveEpoch's items (fit_progressive)
        self.n_iters.append(len(self.learn.dl))                         # what fastai counts as the epoch's length (its n_iter)
    def before_batch(self):
        if self.training: self.steps.append([self.epoch, *self.x.shape[-2:], self.x.shape[0]])

class RankClock:
    "A clock that advances 0.01 s per reading on rank 0 and three times as fast on rank 1: only rank 0's may decide"
    def __init__(self): self.t, self.rate = 0., 1 + 2 * dist.get_rank()
    def __call__(self): self.t += 0.01 * self.rate; return self.t

def main(data, out, n_epoch, mode):
    torch.set_num_threads(1)
    dls = ImageDataLoaders.from_folder(data, train='train', valid='valid', bs=8, num_workers=0, seed=0, item_tfms=Resize(64))
    model = tiny_cnn()
    if mode == 'mixed':   # a dropout layer for SizeAwareRegularization to grow
        parts = list(model.children())
        model = torch.nn.Sequential(*parts[:-1], torch.nn.Dropout(0.5), parts[-1])
    learn = Learner(dls, model)
    kw = dict(sizes=(32, 48, 64)) if mode != 'bs_scale' else dict(size_increment=16, bs_scale=True, max_bs=32)
    single = learn.progressive_plan(n_epoch, **kw)
    log = StepLog()
    with learn.distrib_ctx(**({} if torch.cuda.is_available() else dict(cpu=True, sync_bn=False))):   # gloo on CPU: no SyncBatchNorm
        if mode == 'callback': learn.fit_one_cycle(n_epoch, 1e-3, cbs=[ProgressiveResize(size_increment=8), log])   # resized on the device
        elif mode == 'clock': learn.fit_progressive(n_epoch, 1e-3, cbs=[TimeBudgetCallback(seconds=0.6, clock=RankClock()), log],
                                                    size_increment=16)   # by rank 0's clock, each epoch planned from its step times
        elif mode == 'mixed': learn.fit_one_cycle(n_epoch, 1e-3, cbs=[ProgressiveResize(size_increment=8, initial_scale=0.25, size_jitter=0.3),
                                                                      SizeAwareRegularization(), log])
        else: learn.fit_progressive(n_epoch, 1e-3, cbs=log, **kw)
        rank, world = dist.get_rank(), dist.get_world_size()
        gathered = [None] * world
        dist.all_gather_object(gathered, log.steps)
        reg = [None] * world
        dist.all_gather_object(reg, getattr(learn.recorder, 'reg_values', {}))
    Path(out, f'rank{rank}.json').write_text(json.dumps(dict(
        rank=rank, world=world, steps=gathered, shards=log.shards, n_items=dls.train.n, single=[list(s) for s in single.sizes],
        single_bs=single.batch_sizes, n_iters=log.n_iters, recorder_sizes=[list(s) for s in learn.recorder.sizes], reg_values=reg)))
    dist.barrier()
    dist.destroy_process_group()   # without it, gloo's threads abort the process at exit ("terminate called ...")

if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])

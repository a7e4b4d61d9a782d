"""The fastai internals the library relies on, each in the modules listed in SEAM (most in learner.py), checked one by one:
when a fastai release changes one, this fails naming it, before any training test fails in a way that is hard to read.
It runs in both environments: the locked fastai and the newest (tools/test_compat.sh)."""
import inspect
import fastai
from fastai.data.load import DataLoader
from fastai.distributed import DistributedDL
from fastai.vision.core import PILBase, PILImage
from progressive_fastai.testing import synth_dls

SEAM = {   # internals of fastai, fastcore and torch -> the only modules that use them
    r"fake_l|\.offs\b|encodes\._f|__func__|\.it = ": {'learner.py'},
    r"\btls\b": {'learner.py', 'testing.py'},               # fastai Datasets' per-part pipelines
    r"\.lock\b|_getframe": {'callback.py'},                  # whether Learner is in inference / a fit is running
    r"_stateattrs": {'callback.py', 'learner.py', 'tricks.py', 'budget.py'},   # fastcore Stateful: run state kept out of export()
    r"cancel_train": {'budget.py'},                           # Recorder leaves out the training loss of a cancelled epoch
    r"_orig_mod": {'callback.py'},                            # torch.compile's original module
}

def test_internals_only_where_listed():
    import re
    from nbrun import ROOT
    files = [p for p in (ROOT/'progressive_fastai').glob('*.py') if p.name != '_modidx.py']
    for pattern, allowed in SEAM.items():
        users = {p.name for p in files if re.search(pattern, p.read_text())}
        assert users == allowed, (pattern, users, allowed)

def test_recorder_cancel_train():
    "TimeBudgetCallback ends an epoch's training by cancelling it and keeps its loss in the log through this flag"
    from fastai.learner import Recorder
    assert 'cancel_train' in inspect.getsource(Recorder), f"fastai {fastai.__version__}: Recorder no longer has cancel_train"
    r = Recorder(); r.cancel_train = True
    assert len(r._train_mets) == 0, "a cancelled epoch's training metrics are no longer left out by Recorder._train_mets"

def test_inference_and_fit_running():
    "fastai holds `learn.lock` in validate/get_preds/predict and not in fit; a fit is found on the call stack"
    from fastai.callback.core import Callback
    from fastai.learner import Learner
    from progressive_fastai.callback import in_inference, fit_running
    from progressive_fastai.testing import tiny_cnn
    class Seen(Callback):
        def before_fit(self): self.seen.append((in_inference(self.learn), fit_running(self.learn)))
        def after_epoch(self):
            if not in_inference(self.learn): self.learn.validate()   # a validation inside a fit
    learn = Learner(synth_dls(size=32, bs=4), tiny_cnn(), cbs=(cb := Seen()))
    cb.seen = []
    learn.fit(1)
    learn.validate(); learn.get_preds()
    assert cb.seen == [(False, True), (True, True), (True, False), (True, False)], cb.seen

def test_dataloader_extension_points():
    "fit_progressive's one-pool epoch loader overrides these DataLoader methods and reads these attributes"
    for m in ('sample', 'create_batches', 'do_item', 'do_batch', 'before_iter', 'after_iter', 'randomize', 'wif', 'new'):
        assert callable(getattr(DataLoader, m, None)), f"fastai {fastai.__version__}: DataLoader.{m} is gone"
    dl = synth_dls(size=32, bs=4, num_workers=2).train
    assert dl.fake_l.num_workers == 2, f"fastai {fastai.__version__}: the worker count is no longer on DataLoader.fake_l"
    assert dl.offs == 0 and dl.num_workers == 1, f"fastai {fastai.__version__}: DataLoader.offs/num_workers changed meaning"
    assert 'self.it' in inspect.getsource(DataLoader.create_batches), "DataLoader.create_batches no longer sets self.it"
    assert 'offs' in inspect.getsource(DataLoader.sample), "DataLoader.sample no longer shards batches by worker (offs)"

def test_image_opening_transform():
    "Draft decoding finds fastai's image-opening transform (`PILBase.create` bound to the image class) in `Datasets.tls`"
    from progressive_fastai.learner import _create_cls
    ds = synth_dls(size=32, bs=4).train.dataset
    assert hasattr(ds, 'tls') and hasattr(ds.tls[0], 'tfms'), f"fastai {fastai.__version__}: Datasets.tls changed"
    found = [_create_cls(t) for t in ds.tls[0].tfms.fs]
    assert PILImage in found, f"fastai {fastai.__version__}: no image-opening transform recognised in {ds.tls[0].tfms.fs}"

def test_distributed_shards_as_planned():
    "fit_progressive takes each epoch's item order from fastai's DistributedDL.get_idxs and plans ceil(n / world) items per rank"
    import math
    from progressive_fastai.learner import _plan_batches
    from progressive_fastai.schedule import SizeSteps
    dl = synth_dls(size=32, bs=2, n_train=10).train.new(shuffle=False)   # 20 items
    for world in (2, 3, 4):
        shards = []
        for rank in range(world):
            ddl = DistributedDL(dl, rank=rank, world_size=world)
            assert callable(getattr(ddl, '_broadcast', None)), "DistributedDL._broadcast is gone (tests/distributed_fit.py replaces it on CPU)"
            ddl._broadcast = lambda t, src: list(t)   # one process: rank 0's order is everyone's
            shards.append(list(ddl.get_idxs()))
        assert all(len(s) == math.ceil(dl.n / world) for s in shards), (world, [len(s) for s in shards])
        assert set().union(*shards) == set(range(dl.n))
        _, plan = _plan_batches(SizeSteps((32,)), dl, (32, 32), 1, world)
        assert sum(plan.batch_sizes) == len(shards[0]) - (len(shards[0]) % dl.bs if dl.drop_last else 0), world

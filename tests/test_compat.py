"The library imports fastai's building blocks from where fastai itself does, so fastcore 1 and 2 both work."
import re
from nbrun import ROOT

def test_no_removed_fastcore_modules():
    for f in (ROOT/'progressive_fastai').glob('*.py'):
        src = f.read_text()
        assert not re.search(r'fastcore\.(transform|dispatch)\b', src), f"{f.name} imports a module removed in fastcore 2"

def test_runs_on_installed_fastai():
    import fastai
    from fastai.learner import Learner
    from progressive_fastai.all import ProgressiveResize
    from progressive_fastai.testing import synth_dls, tiny_cnn, ShapeProbe
    dls = synth_dls(size=64, bs=8)
    learn, probe, cb = Learner(dls, tiny_cnn()), ShapeProbe(), ProgressiveResize(size_increment=8)
    learn.fit(3, 1e-3, cbs=[cb, probe])
    assert probe.train_sizes == cb.plan(64, 3, 4).sizes, fastai.__version__
    assert set(probe.valid_sizes) == {(64, 64)}

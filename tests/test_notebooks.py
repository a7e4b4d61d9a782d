"""One pytest test per notebook: its test cells run through `nbdev_test` (or tests/nbrun.py where nbdev 2
cannot be installed, on the newest fastai). Extra test flags (e.g. `slow`) via PF_TEST_FLAGS='slow'."""
import importlib.util, os, subprocess, sys
from pathlib import Path
import pytest
from nbrun import ROOT, run_notebook

NOTEBOOKS = sorted(p for p in (ROOT/'nbs').rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts and not p.name.startswith('_'))
HAVE_NBDEV = importlib.util.find_spec('nbdev') is not None
FLAGS = os.environ.get('PF_TEST_FLAGS', '')

def test_every_module_comes_from_a_notebook_run_here():
    "Each library module is generated from a notebook that this suite runs (nbdev's header names it): no module escapes the tests"
    modules = sorted(p for p in (ROOT/'progressive_fastai').glob('*.py') if p.name not in ('__init__.py', '_modidx.py'))
    assert len(modules) >= 8, modules
    for m in modules:
        header = next((l for l in m.read_text().splitlines()[:6] if 'File to edit:' in l), None)
        assert header, f"{m.name} has no nbdev header: it was not generated from a notebook"
        nb = (m.parent/header.split('File to edit:')[1].strip().rstrip('.')).resolve()
        assert nb in NOTEBOOKS, f"{m.name} comes from {nb.name}, which the notebook tests do not run"

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT/'nbs')))
def test_notebook(nb):
    if HAVE_NBDEV:
        nbdev_test = Path(sys.executable).parent/'nbdev_test'
        cmd = [str(nbdev_test), '--path', str(nb), '--do_print'] + (['--flags', FLAGS] if FLAGS else [])
        r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800)
        assert r.returncode == 0 and 'Success.' in r.stdout, f"nbdev_test failed for {nb.name}:\n{r.stdout[-3000:]}\n{r.stderr[-6000:]}"
    else:
        run_notebook(nb, force_flags=FLAGS.split())

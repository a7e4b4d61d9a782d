"""Execute notebooks in place and store their outputs (what the docs site shows), inside the dev environment.

usage: .venv/bin/python tools/run_notebooks.py nbs/00_schedule.ipynb [more.ipynb ...]

Cells flagged with a test flag from settings.ini (`slow`, `internet`, `gpu`) or `#| eval: false` are not run and keep
no output, as with nbdev_test; the `nbdev_export()` cell is skipped. Stops at the first cell that raises.
"""
import os, re, sys
from pathlib import Path
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT/'tests'))
from nbrun import tst_flags, _directives   # the same cell rules as the tests

def _skip(cell, flags):
    if cell.cell_type != 'code': return True
    cell.outputs = []   # execnb keeps a cell's old outputs when the new run prints nothing: a stale warning would stay
    d = _directives(cell.source)
    if d.get('eval:', [''])[0].lower() == 'false' or flags & d.keys() or 'nbdev_export' + '(' in cell.source:
        return True
    return False

def run(path):
    from execnb.shell import CaptureShell
    path = Path(path).resolve()
    flags = tst_flags()
    old = os.getcwd(); os.chdir(path.parent)
    try: CaptureShell().execute(path, path, exc_stop=True, preproc=lambda c: _skip(c, flags))
    finally: os.chdir(old)

if __name__ == '__main__':
    os.environ.setdefault('MPLBACKEND', 'Agg')
    import torch; torch.set_num_threads(2)
    for p in sys.argv[1:]:
        print('running', p, flush=True); run(p)

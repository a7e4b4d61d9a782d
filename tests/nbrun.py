"""Run a notebook's code cells the way `nbdev_test` does, without nbdev.

Used where nbdev 2 cannot be installed (the newest fastai needs fastcore 2, nbdev 2 needs fastcore 1).
A `from __future__ import annotations` cell applies to the cells after it, as in IPython. fastai's default callbacks are
restored after each notebook, as if each ran in its own process as under nbdev_test. Same rules as nbdev_test: skip cells with `#| eval: false`, cells carrying a flag from settings.ini's
`tst_flags` (unless forced), and the `nbdev_export()` cell. `show_doc` becomes a no-op.
"""
import __future__, configparser, linecache, os, re, sys, types, json
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def tst_flags():
    cfg = configparser.ConfigParser(); cfg.read(ROOT/'settings.ini')
    return set(cfg['DEFAULT'].get('tst_flags', '').split())

def _directives(src):
    "{'eval:': ['false'], 'slow': [], ...} like nbdev's parser"
    res = {}
    for line in src.splitlines():
        m = re.match(r'^#\|\s*(.*)$', line.strip())
        if m and m.group(1):
            k, *v = m.group(1).split()
            res[k] = v
    return res

def _stub_nbdev():
    "A minimal `nbdev` so that notebook cells importing `show_doc` run without it"
    if 'nbdev' in sys.modules: return
    try: import nbdev; return  # noqa: F401
    except ImportError: pass
    nbdev = types.ModuleType('nbdev'); showdoc = types.ModuleType('nbdev.showdoc')
    showdoc.show_doc = lambda *a, **k: None
    nbdev.showdoc, nbdev.nbdev_export = showdoc, lambda *a, **k: None
    sys.modules['nbdev'], sys.modules['nbdev.showdoc'] = nbdev, showdoc

@contextmanager
def _cwd(path):
    old = os.getcwd(); os.chdir(path)
    try: yield
    finally: os.chdir(old)

@contextmanager
def _restore(obj, name, value):
    try: yield
    finally: setattr(obj, name, value)

def run_notebook(path, force_flags=()):
    "Execute the testable code cells of the notebook at `path` in a fresh namespace; raise on the first failure"
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    _stub_nbdev()
    path = Path(path)
    skip = tst_flags() - set(force_flags)
    cells = json.loads(path.read_text(encoding='utf-8'))['cells']
    ns, flags = {'__name__': '__main__'}, 0
    from fastai.learner import defaults
    saved_cbs = list(defaults.callbacks)   # a notebook may change fastai's defaults: each one starts from the same state
    with _cwd(path.parent), _restore(defaults, 'callbacks', saved_cbs):
        for i, cell in enumerate(cells):
            if cell['cell_type'] != 'code': continue
            src = ''.join(cell['source'])
            d = _directives(src)
            if d.get('eval:', [''])[0].lower() == 'false' or skip & d.keys() or 'nbdev_export' + '(' in src: continue
            if re.search(r'^\s*[%!]', src, re.M): raise ValueError(f"{path.name} cell {i}: IPython magics are not supported here")
            if re.search(r'^from __future__ import annotations', src, re.M): flags |= __future__.annotations.compiler_flag
            fname = f'<{path.name}[cell {i}]>'
            linecache.cache[fname] = (len(src), None, src.splitlines(True), fname)   # source for inspect, as IPython keeps it
            try: exec(compile(src, fname, 'exec', flags=flags, dont_inherit=True), ns)
            except Exception as e: raise AssertionError(f"{path.name}, cell {i} failed:\n{src}\n{type(e).__name__}: {e}") from e
            finally: plt.close('all')

"Notebooks are the source: the generated package and README.md must match them."
import filecmp, shutil, subprocess, sys
from pathlib import Path
import pytest
from nbrun import ROOT

def test_readme_matches_index():
    sys.path.insert(0, str(ROOT/'tools'))
    from make_readme import render
    assert (ROOT/'README.md').read_text(encoding='utf-8') == render(write_images=False), \
        "README.md is out of date with nbs/index.ipynb: run python tools/make_readme.py"
    for line in (ROOT/'README.md').read_text().splitlines():
        if line.startswith('![](readme_files/'): assert (ROOT/line[4:-1]).exists(), line

def test_export_leaves_library_unchanged(tmp_path):
    # nbdev.export, not nbdev: tests/nbrun.py puts a stand-in `nbdev` module in place where nbdev is missing
    pytest.importorskip('nbdev.export', reason='nbdev 2 needs fastcore<2: this check runs in the dev environment')
    for name in ('settings.ini', 'setup.py', 'pyproject.toml'): shutil.copy(ROOT/name, tmp_path/name)
    shutil.copytree(ROOT/'nbs', tmp_path/'nbs')
    shutil.copytree(ROOT/'progressive_fastai', tmp_path/'progressive_fastai', ignore=shutil.ignore_patterns('__pycache__'))
    exe = Path(sys.executable).parent/'nbdev_export'
    subprocess.run([str(exe)], cwd=tmp_path, check=True, capture_output=True)
    cmp = filecmp.dircmp(ROOT/'progressive_fastai', tmp_path/'progressive_fastai', ignore=['__pycache__'])
    assert not (cmp.diff_files or cmp.left_only or cmp.right_only), \
        f"nbdev_export changed the library (run nbdev_export and commit): differ {cmp.diff_files}, only in repo {cmp.left_only}, only after export {cmp.right_only}"

"The package as users install it: a wheel with the right metadata, importable outside the source tree."
import subprocess, sys, zipfile, email

from nbrun import ROOT

def test_wheel_installs_and_imports(tmp_path):
    subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-q', '-w', str(tmp_path/'dist'), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = (tmp_path/'dist').glob('progressive_fastai-*.whl')
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = email.message_from_string(z.read(next(n for n in names if n.endswith('METADATA'))).decode())
        entry_points = z.read(next(n for n in names if n.endswith('entry_points.txt'))).decode()
    for mod in ('schedule', 'resize', 'callback', 'learner', 'budget', 'data', 'cli', 'all', 'testing'):
        assert f'progressive_fastai/{mod}.py' in names
    assert 'progressive_fastai/showdoc.py' not in names   # the docs' renderer stays in the source tree
    runtime = [r for r in meta.get_all('Requires-Dist') if 'extra ==' not in r]
    assert 'fastai>=2.8' in runtime                       # broad runtime requirements, no pins
    assert not any('==' in r for r in runtime), runtime
    assert 'progressive-fastai = progressive_fastai.cli:main' in entry_points
    # install into an empty target and import from there, away from the source tree
    subprocess.run([sys.executable, '-m', 'pip', 'install', '--no-deps', '-q', '--target', str(tmp_path/'site'), str(wheel)],
                   check=True, capture_output=True)
    code = ("import progressive_fastai, progressive_fastai.all as pfa; "
            "print(progressive_fastai.__file__); print(pfa.ProgressiveResize().plan(224, 20, 100).n_shapes)")
    r = subprocess.run([sys.executable, '-c', code], cwd=tmp_path, capture_output=True, text=True,
                       env={'PYTHONPATH': str(tmp_path/'site'), 'PATH': '/usr/bin:/bin', 'MPLBACKEND': 'Agg'})
    assert r.returncode == 0, r.stderr
    file, shapes = r.stdout.split()[-2:]
    assert str(tmp_path/'site') in file and shapes == '8'

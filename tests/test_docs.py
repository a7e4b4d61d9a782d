"""The docs site, looked at in a real browser: every page (library notebooks and tutorials) is built without Quarto
by tools/build_docs.py and opened in headless Chromium, which reports what it rendered.

Checked on every page: it renders (a title and text), every image loads, no raw front matter and no `#|` directive
shows, internal links point to pages and anchors that exist. Across the site: every public name of
`progressive_fastai.all` has a documented entry with its parameters table."""
import json, os, re, shutil, subprocess, sys
from pathlib import Path
from urllib.parse import urlsplit, unquote
import pytest
from nbrun import ROOT

pytest.importorskip('nbdev.serve', reason='nbdev 2 needs fastcore<2: the docs are built in the dev environment')

def _chromium():
    exe = shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')
    assert exe, 'chromium is not installed: tools/test.sh installs the Debian package (apt-get install -y chromium)'
    return exe

@pytest.fixture(scope='module')
def site(tmp_path_factory):
    sys.path.insert(0, str(ROOT/'tools'))
    import build_docs
    out = tmp_path_factory.mktemp('site')
    pages = build_docs.build(out)
    return out, pages

def _dump(exe, page, shot=None):
    args = [exe, '--headless=new', '--no-sandbox', '--disable-gpu', '--allow-file-access-from-files', '--virtual-time-budget=8000']
    r = subprocess.run(args + ['--dump-dom', page.as_uri()], capture_output=True, text=True, timeout=120)
    m = re.search(r'<pre id="page-check"[^>]*>(.*?)</pre>', r.stdout, re.S)
    assert m, f"{page.name}: the page's check script did not run\n{r.stderr[-2000:]}"
    import html
    if shot: subprocess.run(args + ['--window-size=1200,2400', f'--screenshot={shot}', page.as_uri()], capture_output=True, timeout=120)
    return json.loads(html.unescape(m.group(1)))

def test_every_page_in_chromium(site):
    exe = _chromium()
    out, pages = site
    assert {'index.html', 'schedule.html', 'callback.html', 'learner.html', 'cli.html', 'autoencoder.html', 'robustness.html', 'benchmarks.html', 'tutorials/resnet_imagenette.html', 'tutorials/autoencoder_imagenette.html'} <= set(pages)
    shots = Path(os.environ.get('PF_DOCS_SHOTS', out/'screenshots')); shots.mkdir(parents=True, exist_ok=True)
    reports = {p: _dump(exe, out/p, shots/(p.replace('/', '_') + '.png')) for p in pages}
    problems = []
    for page, r in reports.items():
        if not r['title'] or r['text_len'] < 200: problems.append(f"{page}: empty page ({r['title']!r}, {r['text_len']} chars)")
        problems += [f"{page}: image {i['src']} does not load" for i in r['imgs'] if not i['ok']]
        problems += [f"{page}: a raw directive shows: {d!r}" for d in r['directives']]
        if r['front_matter']: problems.append(f"{page}: raw front matter shows")
        for href in r['links']:
            u = urlsplit(href)
            if u.scheme or href.startswith('//'): continue          # external: not checked offline
            target = (out/page).parent/unquote(u.path) if u.path else out/page
            target = target.resolve()
            if not target.exists(): problems.append(f"{page}: link {href} -> missing {target.relative_to(out.resolve()) if out.resolve() in target.parents else target}"); continue
            rel = str(target.relative_to(out.resolve()))
            if u.fragment and rel in reports and u.fragment not in reports[rel]['ids']:
                problems.append(f"{page}: link {href}: no #{u.fragment} in {rel}")
    import progressive_fastai.all as pfa
    documented = {e['text'].split('.')[-1] if False else e['text']: e['table'] for r in reports.values() for e in r['entries']}
    for name in pfa.__all__:
        hits = [t for text, t in documented.items() if text == name]
        if not hits: problems.append(f"public name {name} has no documented entry on any page")
        elif not any(hits): problems.append(f"public name {name} is documented without a parameters table")
    assert not problems, '\n'.join(problems)

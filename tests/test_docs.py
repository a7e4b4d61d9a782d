"""The docs site, looked at in a real browser: every page (library notebooks and tutorials) is built without Quarto
by tools/build_docs.py and opened in headless Chromium, which reports what it rendered.

Checked on every page: it renders (a title and text), every image loads, no raw front matter and no `#|` directive
shows, internal links point to pages and anchors that exist. Across the site: every public name of
`progressive_fastai.all` has a documented entry with its parameters table.

On the pages a reader reaches from the navigation (nbs/sidebar.yml; the test helpers and other internals are left
out), as a docs.fast.ai reader would expect: no test code shows (tests are hidden, or live in tests/), no entry is
documented twice, no stderr and no path of the machine that ran the notebook is saved, no type shows as `NoneType`,
no output runs off the page, each page holds at most PAGE_LIMIT characters of text and the whole site at most
SITE_LIMIT."""
import json, os, re, shutil, subprocess, sys
from pathlib import Path
from urllib.parse import urlsplit, unquote
import pytest
from nbrun import ROOT

PAGE_LIMIT, SITE_LIMIT = 25_000, 125_000
TEST_CALL = re.compile(r'^\s*(test_(eq|ne|close|fail|warns|stdout|is|shuffled|eq_type|sig)\(|assert\b)', re.M)
MACHINE_PATH = re.compile(r'(/work/|/tmp/|/home/|/root/|/usr/lib/|site-packages|dist-packages|/\.venv/)')

pytest.importorskip('nbdev.serve', reason='nbdev 2 needs fastcore<2: the docs are built in the dev environment')

def _chromium():
    exe = shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')
    assert exe, 'chromium is not installed: tools/test.sh installs the Debian package (apt-get install -y chromium)'
    return exe

@pytest.fixture(scope='module')
def site(tmp_path_factory):
    build_docs = build_docs_module()
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
        elif not any(hits) and _has_params(getattr(pfa, name)): problems.append(f"public name {name} is documented without a parameters table")
    problems += reader_problems(reports, build_docs_module().user_pages())
    assert not problems, '\n'.join(problems)

def _has_params(obj)->bool:
    "Whether `obj` takes parameters, so its entry needs a parameters table (a mixin such as `CleanupOnDetach` takes none)"
    import inspect
    try: return bool(inspect.signature(obj).parameters)
    except (TypeError, ValueError): return True

def build_docs_module():
    sys.path.insert(0, str(ROOT/'tools'))
    import build_docs
    return build_docs

def reader_problems(reports, user_pages):
    "What a reader of the navigated pages should not meet: test code, an entry twice, stderr, machine paths, a long page"
    problems, seen, total = [], {}, 0
    for page in user_pages:
        r = reports[page]
        total += r['text_len']
        if r['text_len'] > PAGE_LIMIT: problems.append(f"{page}: {r['text_len']:,} characters of text (limit {PAGE_LIMIT:,})")
        for code in r['code']:
            m = TEST_CALL.search(code)
            if m: problems.append(f"{page}: visible test code {m.group(0).strip()!r} in\n{code[:200]}")
        problems += [f"{page}: stderr saved: {e[:200]!r}" for e in r['stderr']]
        problems += [f"{page}: an output runs off the page: {e!r}" for e in r.get('overflow', [])]
        if 'NoneType' in r['text']: problems.append(f"{page}: a type shows as NoneType (an unannotated default of None)")
        m = MACHINE_PATH.search(r['text'])
        if m: problems.append(f"{page}: a machine path shows: ...{r['text'][max(0, m.start() - 80):m.end() + 80]!r}...")
        for e in r['entries']:
            if e['table']: seen.setdefault(e['text'], []).append(page)
    problems += [f"{name} is documented {len(ps)} times: {ps}" for name, ps in seen.items() if len(ps) > 1]
    if total > SITE_LIMIT: problems.append(f"the navigated site holds {total:,} characters of text (limit {SITE_LIMIT:,})")
    return problems

def test_reader_problems_are_caught():
    "The reader checks fail on each thing they look for (a made-up page report)"
    ok = dict(text_len=100, text='fine', code=['x = 1'], stderr=[], overflow=[], entries=[dict(text='f', table=True)])
    assert reader_problems({'a.html': ok}, ['a.html']) == []
    bad = [dict(ok, code=['test_eq(1, 1)']), dict(ok, code=['  assert x']), dict(ok, stderr=['UserWarning: x']),
           dict(ok, text='see /work/main/.venv/lib'), dict(ok, text='x: NoneType = None'), dict(ok, text_len=PAGE_LIMIT + 1), dict(ok, overflow=['a long line'])]
    for r in bad: assert len(reader_problems({'a.html': r}, ['a.html'])) == 1, r
    assert len(reader_problems({'a.html': ok, 'b.html': ok}, ['a.html', 'b.html'])) == 1      # entry f twice
    assert reader_problems({'a.html': ok, 'b.html': dict(ok, code=['test_eq(1, 1)'])}, ['a.html']) == []  # internals
    big = dict(ok, text_len=PAGE_LIMIT, entries=[])
    assert 'site holds' in reader_problems({f'{i}.html': big for i in range(6)}, [f'{i}.html' for i in range(6)])[-1]

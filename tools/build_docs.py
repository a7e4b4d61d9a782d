"""Build a checkable HTML version of the docs site without Quarto (which cannot be installed on our machines).

nbdev's own processing runs first (`proc_nbs`: show_doc cells executed, a show_doc added for every exported name,
hidden cells removed, links to documented names added, front matter written), then every processed notebook,
tutorials included, is rendered to one HTML page: markdown through markdown-it, code cells and their outputs,
figures written next to the page. Links to the docs host are made relative, so they can be checked offline.
The real site is built by `nbdev_docs` with Quarto in the GitHub Pages workflow; this build is what
tests/test_docs.py opens in headless Chromium.

usage: .venv/bin/python tools/build_docs.py [OUT_DIR]      (default: _site_check/)
"""
import base64, configparser, html, json, os, re, shutil, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CSS = """body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
line-height:1.5;color:#222} nav{font-size:.9rem;margin-bottom:1.5rem;border-bottom:1px solid #ddd;padding-bottom:.5rem}
nav a{margin-right:.8rem} pre{background:#f6f8fa;padding:.7rem;overflow-x:auto;border-radius:4px;font-size:.85rem}
pre.output{background:#fff;border-left:3px solid #ccd;white-space:pre-wrap;overflow-wrap:anywhere} code{font-size:.9em} table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:left} img{max-width:100%} .description{color:#555;font-size:1.1rem}
hr{border:none;border-top:1px solid #eee;margin:2rem 0 1rem} nav b{margin-right:.4rem;color:#555}
pre.stderr{background:#fdecea;border-left:3px solid #c33}"""

CHECK_JS = r"""
// What tests/test_docs.py reads from the DOM that headless Chromium dumps: images that failed to load, visible
// nbdev directives or front matter, documented names with or without a parameters table, links and ids.
window.addEventListener('load', () => {
  const text = document.querySelector('main').innerText;
  const imgs = [...document.images].map(i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0}));
  const entries = [...document.querySelectorAll('main h2, main h3, main h4')].map(h => {
    let table = false;
    for (let e = h.nextElementSibling; e && !/^H[1-4]$/.test(e.tagName); e = e.nextElementSibling)
      if (e.tagName === 'TABLE' && /Default/.test(e.innerText) && /Details/.test(e.innerText)) table = true;
    return {id: h.id, text: h.innerText.trim(), table};
  });
  const links = [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'));
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  const code = [...document.querySelectorAll('main pre.code')].map(e => e.innerText);
  const stderr = [...document.querySelectorAll('main pre.stderr')].map(e => e.innerText);
  const mainWidth = document.querySelector('main').clientWidth;   // outputs wider than the page (tables scroll in place)
  const overflow = [...document.querySelectorAll('main pre.output, main img')].filter(e => e.scrollWidth > mainWidth + 2 || e.getBoundingClientRect().width > mainWidth + 2).map(e => (e.innerText || e.getAttribute('src') || '').slice(0, 80));
  const res = {title: (document.querySelector('h1') || {}).innerText || '', text_len: text.length, text, imgs, entries, links, ids,
               code, stderr, overflow,
               directives: (text.match(/^\s*#\|.*$/mg) || []), front_matter: /^\s*---\s*$/m.test(text.split('\n').slice(0, 3).join('\n')) || /^(title|output-file|description):/m.test(text)};
  const pre = document.createElement('pre'); pre.id = 'page-check'; pre.style.display = 'none';
  pre.textContent = JSON.stringify(res); document.body.appendChild(pre);
});
"""

def _cfg():
    c = configparser.ConfigParser(); c.read(ROOT/'settings.ini'); return c['DEFAULT']

def slug(text):
    "Heading ids as Quarto/pandoc make them (what nbdev's links point to)"
    t = re.sub(r'<[^>]+>', '', text).strip().lower()
    t = re.sub(r'[^\w\s.\-]', '', t)
    return re.sub(r'\s+', '-', t)

def _md():
    from markdown_it import MarkdownIt
    md = MarkdownIt('commonmark', {'html': True}).enable('table')
    def heading_open(self, tokens, idx, options, env):
        inline = tokens[idx + 1]
        tokens[idx].attrSet('id', slug(inline.content.replace('`', '')))
        return self.renderToken(tokens, idx, options, env)
    md.add_render_rule('heading_open', heading_open)
    return md

def _front_matter(src):
    "title and description from the raw cell nbdev writes"
    body = src.strip().strip('-').strip()
    out, key = {}, None
    for line in body.splitlines():
        m = re.match(r'^([\w-]+):\s*(.*)$', line)
        if m: key, out[m.group(1)] = m.group(1), m.group(2).strip()
        elif key and line.startswith(' '): out[key] += ' ' + line.strip()
    return {k: v.strip("'\"").replace("''", "'") for k, v in out.items()}

def _directives(src):
    d = {}
    for line in src.splitlines():
        m = re.match(r'^#\|\s*([\w-]+):?\s*(.*)$', line)
        if m: d[m.group(1)] = m.group(2).strip()
    return d

def _quarto_attrs(text):
    "Drop pandoc attribute blocks such as {target=\"_blank\" ...} after links (Quarto's syntax, not markdown)"
    return re.sub(r'\)\{[^}]*\}', ')', text)

def render_nb(nb_path, out_dir, rel, site_pages, md):
    "Write the HTML page for one processed notebook; return its title"
    nb = json.loads(Path(nb_path).read_text(encoding='utf-8'))
    cfg = _cfg()
    host = (cfg['doc_host'].rstrip('/') + cfg['doc_baseurl'].rstrip('/') + '/')
    depth = len(Path(rel).parts) - 1
    up = '../' * depth
    page_html, fm, n_fig = [], {}, 0
    fig_dir = Path(out_dir)/(str(Path(rel).with_suffix('')) + '_files')
    def local_links(text): return text.replace(host, up)
    for cell in nb['cells']:
        src = ''.join(cell['source'])
        if cell['cell_type'] == 'raw' and src.lstrip().startswith('---'): fm = _front_matter(src); continue
        if cell['cell_type'] == 'markdown':
            if 'AUTOGENERATED! DO NOT EDIT' in src: continue
            page_html.append(md.render(local_links(_quarto_attrs(src)))); continue
        if cell['cell_type'] != 'code': continue
        d = _directives(src)
        if d.get('include') == 'false': continue
        code = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()
        if code and d.get('echo') != 'false': page_html.append(f'<pre class="code"><code>{html.escape(code)}</code></pre>')
        if d.get('output') == 'false': continue
        for o in cell.get('outputs', []):
            data = o.get('data', {})
            if o['output_type'] == 'stream':
                kind = 'output' if o.get('name') == 'stdout' else 'output stderr'   # Quarto prints stderr too
                page_html.append(f'<pre class="{kind}">{html.escape("".join(o["text"]))}</pre>')
            elif 'image/png' in data:
                n_fig += 1
                fig_dir.mkdir(parents=True, exist_ok=True)
                name = f'figure-{n_fig}.png'
                (fig_dir/name).write_bytes(base64.b64decode(''.join(data['image/png'])))
                page_html.append(f'<p><img src="{fig_dir.name}/{name}" alt="figure {n_fig}"></p>')
            elif 'text/markdown' in data: page_html.append(md.render(local_links(_quarto_attrs(''.join(data['text/markdown'])))))
            elif 'text/html' in data: page_html.append(''.join(data['text/html']))
            elif 'text/plain' in data: page_html.append(f'<pre class="output">{html.escape("".join(data["text/plain"]))}</pre>')
    title = fm.get('title') or Path(rel).stem
    desc = md.renderInline(local_links(fm['description'])) if fm.get('description') else ''
    nav = ' '.join(f'<a href="{up}{p}">{html.escape(t)}</a>' if p else f'<b>{html.escape(t)}:</b>' for p, t in site_pages)
    doc = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
           f'<link rel="stylesheet" href="{up}style.css"></head><body><nav>{nav}</nav><main>'
           f'<h1 class="title">{html.escape(title)}</h1>' + (f'<p class="description">{desc}</p>' if desc else '') +
           '\n'.join(page_html) + f'</main><script src="{up}check.js"></script></body></html>')
    target = Path(out_dir)/Path(rel).with_suffix('.html')
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(doc, encoding='utf-8')
    return title

def _output_name(nb):
    "The page name nbdev gives a notebook (its front matter's output-file, else its own name)"
    for cell in json.loads(Path(nb).read_text(encoding='utf-8'))['cells']:
        if cell['cell_type'] == 'raw':
            m = re.search(r'output-file:\s*(\S+)', ''.join(cell['source']))
            if m: return m.group(1)
    return Path(nb).with_suffix('.html').name

def sidebar():
    "[(section or '', [notebook paths])] from nbs/sidebar.yml: the navigation; pages not named there are internals"
    import yaml
    out = []
    for item in yaml.safe_load((ROOT/'nbs'/'sidebar.yml').read_text())['website']['sidebar']['contents']:
        if isinstance(item, str): out.append(('', [item]))
        else: out.append((item['section'], list(item['contents'])))
    return out

def user_pages():
    "The pages a reader reaches from the navigation, as built (internals such as the test helpers are left out)"
    return [str(Path(nb).parent/re.sub(r'^\d+_', '', Path(nb).with_suffix('.html').name)).lstrip('./')
            for _, nbs_ in sidebar() for nb in nbs_]

def _title(nb):
    "The page title: the `title:` of the front matter nbdev wrote (else the notebook's name)"
    for cell in json.loads(Path(nb).read_text(encoding='utf-8'))['cells']:
        if cell['cell_type'] == 'raw':
            m = re.search(r'^title:\s*(.+)$', ''.join(cell['source']), re.M)
            if m: return m.group(1).strip().strip('"\'').replace('`', '')
    return Path(nb).stem

def build(out=ROOT/'_site_check', n_workers=1):
    "Process the notebooks with nbdev and render every page into `out`; return the list of pages"
    from nbdev.serve import proc_nbs
    cwd = os.getcwd(); os.chdir(ROOT)   # nbdev finds settings.ini from the working directory
    try: proc_nbs(n_workers=n_workers, force=True)
    finally: os.chdir(cwd)
    out = Path(out)
    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True)
    (out/'style.css').write_text(CSS)
    (out/'check.js').write_text(CHECK_JS)
    nbs = sorted(p for p in (ROOT/'_proc').rglob('*.ipynb') if not p.name.startswith('_'))
    pages = [(str(p.relative_to(ROOT/'_proc').parent/_output_name(p)).lstrip('./'), p) for p in nbs]
    titles = {str(p.relative_to(ROOT/'_proc')): (rel, _title(p)) for rel, p in pages}
    nav = []
    for section, nbs_ in sidebar():
        if section: nav.append(('', section))
        nav += [titles[nb] for nb in nbs_ if nb in titles]
    md = _md()
    for rel, p in pages: render_nb(p, out, rel, nav, md)
    return [rel for rel, _ in pages]

if __name__ == '__main__':
    pages = build(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT/'_site_check')
    print('\n'.join(pages))

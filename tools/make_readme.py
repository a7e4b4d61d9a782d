"""Render nbs/index.ipynb to README.md (what `nbdev_readme` does with Quarto, which is not always available).

Markdown cells are copied, code cells become ```python blocks (cells marked `#| hide` are left out, `#|`
directives are dropped), text outputs become plain blocks and figures are written to readme_files/.
`python tools/make_readme.py --check` exits 1 if README.md is out of date.
"""
import base64, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def _directives(src):
    return {m.group(1).strip().split(':')[0].split()[0] for m in re.finditer(r'^#\|\s*(.+)$', src, re.M)}

def render(nb_path=ROOT/'nbs'/'index.ipynb', write_images=True):
    "The README text for `nb_path`; figures are written next to README.md when `write_images`"
    nb = json.loads(Path(nb_path).read_text(encoding='utf-8'))
    out, n_fig = [], 0
    for cell in nb['cells']:
        src = ''.join(cell['source'])
        if cell['cell_type'] == 'markdown': out.append(src.strip()); continue
        if cell['cell_type'] != 'code' or 'hide' in _directives(src): continue
        code = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()
        if code: out.append(f"```python\n{code}\n```")
        for o in cell.get('outputs', []):
            data = o.get('data', {})
            if o['output_type'] == 'stream' and o.get('name') == 'stdout': text = ''.join(o['text'])
            elif 'image/png' in data:
                n_fig += 1
                name = f'readme_files/figure-{n_fig}.png'
                if write_images:
                    (ROOT/'readme_files').mkdir(exist_ok=True)
                    (ROOT/name).write_bytes(base64.b64decode(data['image/png']))
                out.append(f"![]({name})"); continue
            elif 'text/plain' in data and not ''.join(data['text/plain']).startswith(('<Figure', '<IPython.core.display')): text = ''.join(data['text/plain'])
            else: continue
            out.append("    " + text.rstrip('\n').replace('\n', '\n    '))
    return "\n\n".join(out) + "\n"

if __name__ == '__main__':
    text = render(write_images='--check' not in sys.argv)
    readme = ROOT/'README.md'
    if '--check' in sys.argv:
        ok = readme.exists() and readme.read_text(encoding='utf-8') == text
        print('README.md is up to date' if ok else 'README.md differs from nbs/index.ipynb: run python tools/make_readme.py')
        sys.exit(0 if ok else 1)
    readme.write_text(text, encoding='utf-8')
    print(f'wrote {readme}')

"The library's shape, checked: modules share only public names, and `lr_find` is handled in one place."
import ast, re
from nbrun import ROOT

MODULES = sorted(p for p in (ROOT/'progressive_fastai').glob('*.py') if p.name != '_modidx.py')

def test_no_private_name_crosses_a_module():
    "What one module uses from another is public in the module that owns it (even where `all` does not export it)"
    crossing = []
    for p in MODULES:
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level >= 1:
                crossing += [f"{p.name}: {a.name} from .{node.module}" for a in node.names if a.name.startswith('_')]
    assert not crossing, crossing

def test_lr_find_is_handled_in_one_place():
    "Every size callback stands aside in `lr_find` through the one core (`SizeCallback.before_fit`)"
    hits = [(p.name, i) for p in MODULES for i, line in enumerate(p.read_text().splitlines(), 1) if re.search(r"\blr_finder\b", line)]
    assert len(hits) == 1 and hits[0][0] == 'callback.py', hits

"""Redraw the accuracy-against-time plots of quality.py and equal_time.py from their committed JSON (no training).

    .venv/bin/python benchmarks/replot.py [--out benchmarks/results]
"""
import argparse, json
from pathlib import Path
from _common import plot_accuracy_runs, ROOT

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--out', default=str(ROOT/'benchmarks'/'results')); a = ap.parse_args()
    out = Path(a.out)
    q = json.loads((out/'quality.json').read_text())
    runs = [r for r in q['runs'] if r['budget'] == 'equal wall-clock' or r['method'] == 'full size']
    plot_accuracy_runs(runs, list(dict.fromkeys(r['method'] for r in q['runs'])), sorted({r['seed'] for r in runs}),
                       q['args']['size'], out/'quality.png')
    e = json.loads((out/'equal_time.json').read_text())
    plot_accuracy_runs(e['runs'], list(dict.fromkeys(r['method'] for r in e['runs'])), sorted({r['seed'] for r in e['runs']}),
                       e['args']['size'], out/'equal_time.png')

if __name__ == '__main__':
    main()

#!/usr/bin/env bash
# Same tests on the newest fastai (fastcore 2.x), without nbdev: notebooks run through tests/nbrun.py.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup_env.sh compat
export MPLBACKEND=Agg
# The tutorials (minutes each) call the same library code as the module notebooks, which do run here; they run
# in the dev environment (tools/test.sh), so this run leaves them out to keep CI short. So is the benchmarks page:
# it only displays committed results with IPython, which this nbdev-free environment does not have.
exec .venv-compat/bin/python -m pytest -k "not tutorials and not 12_benchmarks" "$@"

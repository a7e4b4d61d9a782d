#!/usr/bin/env bash
# Same tests on the newest fastai (fastcore 2.x), without nbdev: notebooks run through tests/nbrun.py.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup_env.sh compat
export MPLBACKEND=Agg
exec .venv-compat/bin/python -m pytest "$@"

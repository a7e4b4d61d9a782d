#!/usr/bin/env bash
# Create (or reuse) a virtual environment with the library installed in editable mode.
# usage: tools/setup_env.sh [dev|compat]   -> .venv (pinned dev env, nbdev 2) or .venv-compat (newest fastai)
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-dev}
case "$kind" in
  dev)    venv=.venv;        constraints=.ci/constraints-dev.txt;    extras='.[dev]' ;;
  compat) venv=.venv-compat; constraints=.ci/constraints-compat.txt; extras='.' ;;
  *) echo "usage: $0 [dev|compat]" >&2; exit 2 ;;
esac
python=${PYTHON:-python3}
# Reuse the environment only if it was built from exactly these pins and requirements.
stamp=$(cat "$constraints" settings.ini setup.py | sha256sum | cut -c1-16)
if [ -f "$venv/.stamp" ] && [ "$(cat "$venv/.stamp")" = "$stamp" ]; then
  echo "== $venv is up to date ($kind)"; exit 0
fi
echo "== building $venv ($kind environment, pins from $constraints)"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
# Exact pins: without them pip resolves torch to the newest release and several GB of CUDA wheels.
"$venv/bin/python" -m pip install -q -c "$constraints" torch torchvision
# accelerate: fastai.distributed needs it (tests/test_distributed.py launches 2 processes with gloo); hypothesis: property tests
"$venv/bin/python" -m pip install -q -c "$constraints" -e "$extras" pytest accelerate hypothesis
echo "$stamp" > "$venv/.stamp"
"$venv/bin/python" -c "import torch, fastai, fastcore; print('== torch', torch.__version__, '| fastai', fastai.__version__, '| fastcore', fastcore.__version__)"

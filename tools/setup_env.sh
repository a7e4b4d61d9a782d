#!/usr/bin/env bash
# Create (or reuse) a virtual environment with the library installed in editable mode.
# usage: tools/setup_env.sh [dev|compat]
#   dev:    .venv, LOCKED: every package pinned by .ci/constraints-dev.txt (re-lock on purpose with tools/lock.sh);
#           the build itself (setuptools, wheel) comes from the lock too (--no-build-isolation)
#   compat: .venv-compat, the newest fastai (fastcore 2), unpinned on purpose but for torch: it proves what users install
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-dev}
case "$kind" in
  dev)    venv=.venv;        constraints=.ci/constraints-dev.txt;    reqs=.ci/requirements-dev.in ;;
  compat) venv=.venv-compat; constraints=.ci/constraints-compat.txt; reqs= ;;
  *) echo "usage: $0 [dev|compat]" >&2; exit 2 ;;
esac
python=${PYTHON:-python3}
# Reuse the environment only if it was built from exactly these pins and requirements.
stamp=$(cat "$constraints" ${reqs:+"$reqs"} settings.ini setup.py | sha256sum | cut -c1-16)
if [ -f "$venv/.stamp" ] && [ "$(cat "$venv/.stamp")" = "$stamp" ]; then
  echo "== $venv is up to date ($kind)"; exit 0
fi
echo "== building $venv ($kind environment, pins from $constraints)"
rm -rf "$venv"
"$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip install -q -c "$constraints")
if [ "$kind" = dev ]; then
  "${pip[@]}" pip setuptools wheel
  "${pip[@]}" -r "$reqs"
  "${pip[@]}" --no-deps --no-build-isolation -e .
  # The lock must cover everything installed: a package it does not name was resolved freshly, and that is how
  # CI broke before (cloudpickle). Fail here, naming it, rather than later in a test.
  "$venv/bin/python" tools/check_lock.py "$constraints"
else
  # Exact torch pins: without them pip resolves torch to the newest release and several GB of CUDA wheels.
  "${pip[@]}" torch torchvision
  # accelerate: fastai.distributed needs it (tests/test_distributed.py launches 2 processes with gloo); hypothesis: property tests
  "${pip[@]}" -e . pytest accelerate hypothesis
fi
echo "$stamp" > "$venv/.stamp"
"$venv/bin/python" -c "import torch, fastai, fastcore; print('== torch', torch.__version__, '| fastai', fastai.__version__, '| fastcore', fastcore.__version__)"

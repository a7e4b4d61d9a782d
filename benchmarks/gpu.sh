#!/usr/bin/env bash
# The GPU benchmark in one command (at most 8 minutes on one GPU): writes benchmarks/results/gpu.{json,md}.
#   bash benchmarks/gpu.sh            on a GPU machine
#   bash benchmarks/gpu.sh --smoke    on the CPU, a few images at 32 px: checks the script (CI runs this)
# Python: $PYTHON, else the project's .venv, else python3. Where fastai is missing (a bare GPU image), it is installed
# from the wheels in .whl/ (made here beforehand by `python3 -m pip download -d .whl fastai==2.8.7 ...`), no network.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-}
[ -z "$PY" ] && [ -x .venv/bin/python ] && PY=.venv/bin/python
PY=${PY:-python3}
if ! "$PY" -c 'import fastai, progressive_fastai' 2>/dev/null; then
  [ -d .whl ] || { echo "gpu.sh: fastai is not installed for $PY and there is no .whl/ folder of wheels to install it from" >&2; exit 2; }
  "$PY" -m pip install -q --no-index --find-links .whl fastai fastcore fasttransform plum-dispatch fastprogress fastdownload
  "$PY" -m pip install -q --no-index --no-deps -e .
fi
cd benchmarks
exec "$PY" -W ignore gpu.py "$@"

#!/usr/bin/env bash
# The main job from a fresh clone: set up the pinned environment if needed (.venv, about two minutes the first
# time), then run `progressive-fastai train` with the given arguments (none: the built-in data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup_env.sh dev >&2
export MPLBACKEND=Agg
exec .venv/bin/progressive-fastai train "$@"

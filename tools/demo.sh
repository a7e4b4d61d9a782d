#!/usr/bin/env bash
# The quick demo: set up the environment if needed, then train a small CNN on built-in synthetic
# images with ProgressiveResize and print what the model saw. Extra arguments go to the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup_env.sh dev
export MPLBACKEND=Agg
exec .venv/bin/progressive_fastai_demo "$@"

#!/usr/bin/env bash
# The test command: set up the pinned dev environment if needed, then run every test
# (one pytest test per notebook, run by nbdev_test, plus tests/). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup_env.sh dev
export MPLBACKEND=Agg
exec .venv/bin/python -m pytest "$@"

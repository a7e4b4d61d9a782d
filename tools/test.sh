#!/usr/bin/env bash
# The test command: set up the pinned dev environment if needed, then run every test
# (one pytest test per notebook, run by nbdev_test, plus tests/). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup_env.sh dev
# tests/test_docs.py opens every docs page in headless Chromium (Debian package `chromium`)
if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing chromium (the docs pages are checked in a headless browser)"
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
  { DEBIAN_FRONTEND=noninteractive $sudo_ apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq chromium >/dev/null; } \
    || echo "!! could not install chromium: tests/test_docs.py will fail"
fi
export MPLBACKEND=Agg
exec .venv/bin/python -m pytest "$@"

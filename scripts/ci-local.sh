#!/usr/bin/env bash
# Runs .ci/run the way CI does: a fresh clone of HEAD, ../shared beside it, CI=true.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/mpc-tss-ci.XXXXXX)"
git clone -q "$src" "$work/main"
ln -s "$(cd "$src/../shared" && pwd)" "$work/shared"
cd "$work/main"
echo "ci-local: $(git log --oneline -1) in $work/main"
CI=true bash .ci/run

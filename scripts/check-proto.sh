#!/usr/bin/env bash
# Fails when the committed generated protobuf code (src/gen) is not what `buf generate` produces.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r src/gen "$tmp/committed" 2>/dev/null || mkdir -p "$tmp/committed"
npx buf generate --template buf.gen.yaml -o "$tmp/fresh-root" >/dev/null
if ! diff -r "$tmp/committed" "$tmp/fresh-root/src/gen" >/dev/null; then
  echo "src/gen is stale: run 'npm run gen:proto' and commit the result" >&2
  diff -r "$tmp/committed" "$tmp/fresh-root/src/gen" | head -20 >&2
  exit 1
fi
echo "src/gen is current"

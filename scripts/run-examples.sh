#!/usr/bin/env bash
# Runs wasmc on the examples: validates each and prints it back as text.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
for example in examples/*.wat; do
    "$build/wasmc" validate "$example"
    "$build/wasmc" print "$example"
done

#!/usr/bin/env bash
# Installs npm dependencies when node_modules is missing or older than the lockfile.
# `npm install` rather than `npm ci`: a registry mirror may lack other platforms' optional
# packages (Biome's, for one), which `npm ci` treats as a lockfile mismatch.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "serverbox: installing npm dependencies" >&2
  npm install --no-audit --no-fund --loglevel=error
fi

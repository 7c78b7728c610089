#!/usr/bin/env bash
# Writes requirements.lock: the exact version of every package the service needs in production (not the
# test tools), as pip resolves them today in a clean environment. The container image installs from it.
set -euo pipefail
cd "$(dirname "$0")/.."
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
python3 -m venv "$workdir/venv"
"$workdir/venv/bin/pip" install --quiet --upgrade pip
"$workdir/venv/bin/pip" install --quiet .
{
  echo "# Exact versions of Evidence Hub's production dependencies; made by scripts/lock_dependencies.sh."
  "$workdir/venv/bin/pip" freeze --exclude evidence-hub --exclude pip --exclude setuptools
} > requirements.lock
echo "Wrote requirements.lock ($(grep -vc '^#' requirements.lock) packages)"

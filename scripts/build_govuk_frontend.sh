#!/usr/bin/env bash
# Rebuild the vendored GOV.UK Frontend assets in static/govuk-frontend/.
#
# The govuk-frontend version is recorded in one place only:
#   static/govuk-frontend/VERSION
# To upgrade, change that file (keep it in step with the govuk-frontend
# version targeted by the govuk-frontend-jinja Python package) and re-run:
#   scripts/build_govuk_frontend.sh
#
# What it does:
#   1. npm-installs govuk-frontend@VERSION and sass into a temporary directory
#      (install scripts disabled; only the npm registry is needed).
#   2. Compiles scripts/govuk_frontend_entry.scss into one minified CSS file
#      that uses the system font stack: no GDS Transport, no @font-face and
#      no font files (GDS Transport is licensed for gov.uk services only).
#   3. Copies the ES module JavaScript bundle, the images and manifest.json
#      (not the fonts folder), and writes the MIT licence text.
#
# Requires: bash, node and npm.
set -euo pipefail

# Pinned so that the compiled CSS is reproducible; override with SASS_VERSION=...
SASS_VERSION="${SASS_VERSION:-1.108.2}"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out_dir="$repo_root/static/govuk-frontend"
entry_scss="$repo_root/scripts/govuk_frontend_entry.scss"

version="$(tr -d '[:space:]' < "$out_dir/VERSION")"
if [[ ! "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "error: $out_dir/VERSION must contain a version like 6.3.0, got '$version'" >&2
  exit 1
fi

work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT

echo "Installing govuk-frontend@$version and sass@$SASS_VERSION into $work_dir"
printf '{ "name": "govuk-frontend-build", "private": true }\n' > "$work_dir/package.json"
npm install --prefix "$work_dir" --ignore-scripts --no-audit --no-fund \
  --no-package-lock "govuk-frontend@$version" "sass@$SASS_VERSION" >/dev/null

pkg_dir="$work_dir/node_modules/govuk-frontend"
dist_dir="$pkg_dir/dist/govuk"
installed="$(node -p "require('$pkg_dir/package.json').version")"
if [[ "$installed" != "$version" ]]; then
  echo "error: installed govuk-frontend $installed, expected $version" >&2
  exit 1
fi

echo "Compiling $entry_scss"
css_tmp="$work_dir/govuk-frontend.min.css"
"$work_dir/node_modules/.bin/sass" --no-source-map --style=compressed \
  --load-path="$work_dir/node_modules" "$entry_scss" "$css_tmp"

# The compiled CSS must not reference GDS Transport or any font file.
if grep -q -i -E 'GDS Transport|@font-face|woff|/fonts/' "$css_tmp"; then
  echo "error: compiled CSS still references GDS Transport or font files" >&2
  exit 1
fi
if ! grep -q '/static/govuk-frontend/assets/images/' "$css_tmp"; then
  echo "error: compiled CSS does not use /static/govuk-frontend/assets/" >&2
  exit 1
fi

echo "Writing $out_dir"
rm -rf "$out_dir/assets" "$out_dir/govuk-frontend.min.css" \
  "$out_dir/govuk-frontend.min.js" "$out_dir/govuk-frontend.min.js.map"
mkdir -p "$out_dir/assets"
cp "$css_tmp" "$out_dir/govuk-frontend.min.css"
# ES module bundle, copied verbatim. Its source map (~200 KB) is not shipped.
cp "$dist_dir/govuk-frontend.min.js" "$out_dir/govuk-frontend.min.js"
# Images and web app manifest only; the fonts folder is deliberately skipped.
cp -R "$dist_dir/assets/images" "$out_dir/assets/images"
cp "$dist_dir/assets/manifest.json" "$out_dir/assets/manifest.json"

for f in favicon.ico favicon.svg govuk-icon-mask.svg govuk-icon-180.png; do
  if [[ ! -f "$out_dir/assets/images/$f" ]]; then
    echo "error: assets/images/$f missing from govuk-frontend $version" >&2
    exit 1
  fi
done

# The npm package declares "license": "MIT" but ships no licence file, so the
# text is kept here (LICENSE.txt from https://github.com/alphagov/govuk-frontend).
licence="$(node -p "require('$pkg_dir/package.json').license")"
if [[ "$licence" != "MIT" ]]; then
  echo "error: govuk-frontend $version licence is '$licence', expected MIT; review LICENSE" >&2
  exit 1
fi
cat > "$out_dir/LICENSE" <<'LICENCE_TEXT'
The MIT License (MIT)

Copyright (C) 2017 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
LICENCE_TEXT

echo "Done: govuk-frontend $version"

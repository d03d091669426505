#!/usr/bin/env bash
# Refreshes static/vendor/ from the npm packages pinned in package.json. The copied files are committed, so
# neither running nor testing Posko needs npm or a network: this script is only for upgrading an asset.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp package.json "$work/"
(cd "$work" && npm install --no-audit --no-fund --silent)
nm="$work/node_modules"
dest=static/vendor
rm -rf "$dest" && mkdir -p "$dest/bootstrap" "$dest/bootstrap-icons/fonts" "$dest/htmx"
cp "$nm/bootstrap/dist/css/bootstrap.min.css"{,.map} "$nm/bootstrap/dist/js/bootstrap.bundle.min.js"{,.map} "$nm/bootstrap/LICENSE" "$dest/bootstrap/"
cp "$nm/bootstrap-icons/font/bootstrap-icons.min.css" "$nm/bootstrap-icons/LICENSE" "$dest/bootstrap-icons/"
cp "$nm/bootstrap-icons/font/fonts/bootstrap-icons.woff2" "$nm/bootstrap-icons/font/fonts/bootstrap-icons.woff" "$dest/bootstrap-icons/fonts/"
cp "$nm/htmx.org/dist/htmx.min.js" "$nm/htmx.org/LICENSE" "$dest/htmx/"
# The accessibility tests inject axe-core themselves (tests/browser/axe.py); it is not a page asset.
mkdir -p tests/browser/vendor/axe-core
cp "$nm/axe-core/axe.min.js" "$nm/axe-core/LICENSE" tests/browser/vendor/axe-core/
cp "$work/package-lock.json" package-lock.json
echo "static/vendor refreshed"

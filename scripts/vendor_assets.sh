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
# Only the icons the templates use ({% icon "name" %}, complaints/templatetags/icons.py), as SVG files drawn
# inline: the icon font weighed 134 kB for a handful of icons.
icons=$(grep -rhoE '\{% icon "[a-z0-9-]+"' templates ./*/templates | sed -E 's/.*"([a-z0-9-]+)"/\1/' | sort -u)
rm -rf "$dest" && mkdir -p "$dest/bootstrap" "$dest/bootstrap-icons/icons" "$dest/htmx" "$dest/tus"
cp "$nm/bootstrap/dist/css/bootstrap.min.css"{,.map} "$nm/bootstrap/dist/js/bootstrap.bundle.min.js"{,.map} "$nm/bootstrap/LICENSE" "$dest/bootstrap/"
cp "$nm/bootstrap-icons/LICENSE" "$dest/bootstrap-icons/"
for icon in $icons; do cp "$nm/bootstrap-icons/icons/$icon.svg" "$dest/bootstrap-icons/icons/"; done
cp "$nm/htmx.org/dist/htmx.min.js" "$nm/htmx.org/LICENSE" "$dest/htmx/"
# tus-js-client: resumable uploads of the report form's evidence step (evidence/resumable.py is the server).
cp "$nm/tus-js-client/dist/tus.min.js"{,.map} "$nm/tus-js-client/LICENSE" "$dest/tus/"
# The accessibility tests inject axe-core themselves (tests/browser/axe.py); it is not a page asset.
mkdir -p tests/browser/vendor/axe-core
cp "$nm/axe-core/axe.min.js" "$nm/axe-core/LICENSE" tests/browser/vendor/axe-core/
cp "$work/package-lock.json" package-lock.json
echo "static/vendor refreshed"

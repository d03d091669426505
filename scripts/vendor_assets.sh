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
icons=$(grep -rhoE '\{% icon "[a-z0-9-]+"' templates $(find . -path ./node_modules -prune -o -path ./.venv -prune -o -mindepth 2 -maxdepth 2 -type d -name templates -print) | sed -E 's/.*"([a-z0-9-]+)"/\1/' | sort -u)
rm -rf "$dest" && mkdir -p "$dest/bootstrap" "$dest/bootstrap-icons/icons" "$dest/htmx" "$dest/tus"
cp "$nm/bootstrap/dist/css/bootstrap.min.css"{,.map} "$nm/bootstrap/dist/js/bootstrap.bundle.min.js"{,.map} "$nm/bootstrap/LICENSE" "$dest/bootstrap/"
cp "$nm/bootstrap-icons/LICENSE" "$dest/bootstrap-icons/"
for icon in $icons; do cp "$nm/bootstrap-icons/icons/$icon.svg" "$dest/bootstrap-icons/icons/"; done
cp "$nm/htmx.org/dist/htmx.min.js" "$nm/htmx.org/LICENSE" "$dest/htmx/"
# tus-js-client: resumable uploads of the report form's evidence step (evidence/resumable.py is the server).
cp "$nm/tus-js-client/dist/tus.min.js"{,.map} "$nm/tus-js-client/LICENSE" "$dest/tus/"
# ALTCHA, the bot check of the report form (complaints/services/botcheck.py): the "external" build, which
# injects no <style> and builds no worker from a blob (a strict Content-Security-Policy allows neither), with
# its stylesheet, the PBKDF2 worker static/js/bot-check.js registers, and the Indonesian strings.
mkdir -p "$dest/altcha/workers" "$dest/altcha/i18n"
cp "$nm/altcha/dist/external/altcha.min.js" "$nm/altcha/dist/external/altcha.css" "$nm/altcha/LICENSE.txt" "$dest/altcha/"
cp "$nm/altcha/dist/workers/pbkdf2.js" "$dest/altcha/workers/"
cp "$nm/altcha/dist/i18n/id.js" "$dest/altcha/i18n/"
# The accessibility tests inject axe-core themselves (tests/browser/axe.py); it is not a page asset.
mkdir -p tests/browser/vendor/axe-core
cp "$nm/axe-core/axe.min.js" "$nm/axe-core/LICENSE" tests/browser/vendor/axe-core/
cp "$work/package-lock.json" package-lock.json
echo "static/vendor refreshed"

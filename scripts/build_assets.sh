#!/usr/bin/env bash
# Install GOV.UK Frontend and Sass from the npm registry and build our static files.
# Nothing third-party is committed: src/peermatch/static/ is generated here.
set -euo pipefail
cd "$(dirname "$0")/.."
STATIC=src/peermatch/static
if [ ! -d node_modules/govuk-frontend ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
mkdir -p "$STATIC"
npx --no-install sass --pkg-importer=node --style=compressed --no-source-map \
  src/peermatch/assets/app.scss "$STATIC/app.css"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$STATIC/govuk-frontend.min.js"
rm -rf "$STATIC/assets" && mkdir -p "$STATIC/assets"
cp -r node_modules/govuk-frontend/dist/govuk/assets/images "$STATIC/assets/images"
echo "Built front-end assets into $STATIC"

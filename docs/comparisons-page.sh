#!/usr/bin/env bash
# Renders the comparison page in a real headless browser (Debian's chromium) and checks it: runs
# the demo (v2 answers a search differently and adds a field to orders), saves the page the admin
# endpoint serves (GET /admin/comparisons.html), checks the DOM chromium built from it, and keeps
# a screenshot in docs/comparisons.png. Not part of CI; installs chromium if it is missing.
# Usage: bash docs/comparisons-page.sh
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
if ! command -v chromium >/dev/null; then
  echo "Installing chromium..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
echo "Running the demo (1,000 requests per phase)..."
mvn -B -q -Pdemo -DskipTests verify \
  -Ddemo.args="--requests=1000 --comparisons-html=$WORK/comparisons.html" > "$WORK/demo.log"
CHROME=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars)
"${CHROME[@]}" --dump-dom "file://$WORK/comparisons.html" > "$WORK/dom.html" 2>/dev/null
for expected in "<h1>Shadow answers compared with the primary's</h1>" \
    "<code>GET /api/products/{id}</code>" "<code>/results/2</code>" "<code>/currency</code>"; do
  grep -qF "$expected" "$WORK/dom.html" || { echo "the page lacks: $expected" >&2; exit 1; }
done
echo "The page has the policy, the endpoints and the fields that differ."
"${CHROME[@]}" --window-size=1280,900 --screenshot="$PWD/docs/comparisons.png" \
  "file://$WORK/comparisons.html" 2>/dev/null
echo "Screenshot: docs/comparisons.png"

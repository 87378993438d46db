#!/usr/bin/env bash
# Re-create the vendored front-end assets in static/vendor/ from the npm registry.
#
# Dev-only, run by hand when a version is bumped; the app and CI never run it
# (the assets are committed, there is no build step and no CDN).
# Needs node + npm. Nothing is written to the repository except static/vendor/:
# packages are installed into a throw-away prefix outside the repo, so no
# package.json or node_modules ever lands in git.
#
# Usage: scripts/vendor_static.sh [NPM_PREFIX]      (default: a fresh temp dir)
#
# static/vendor/be-vietnam-pro/font.css is hand-written and is NOT generated;
# this script only checks that every file it references exists and that its
# unicode-range values are the ones of the package's own CSS.
set -euo pipefail

# Exact versions (keep in sync with static/vendor/README.md).
HTMX_VERSION=2.0.11                # htmx.org, latest 2.0.x
ECHARTS_VERSION=6.1.0              # echarts, latest 6.x (bundles zrender 6.1.0)
BE_VIETNAM_PRO_VERSION=5.3.0       # @fontsource/be-vietnam-pro
TOM_SELECT_VERSION=2.6.2           # tom-select (type-ahead pickers)

FONT_SUBSETS=(vietnamese latin-ext latin)
FONT_WEIGHTS=(400 600 700)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/static/vendor"
if [[ $# -ge 1 ]]; then
    PREFIX="$1"
else
    PREFIX="$(mktemp -d "${TMPDIR:-/tmp}/npmvendor.XXXXXX")"
    trap 'rm -rf "$PREFIX"' EXIT
fi
NM="$PREFIX/node_modules"

echo "Installing into $PREFIX"
npm install --prefix "$PREFIX" --no-save --no-audit --no-fund --ignore-scripts \
    "htmx.org@$HTMX_VERSION" \
    "echarts@$ECHARTS_VERSION" \
    "@fontsource/be-vietnam-pro@$BE_VIETNAM_PRO_VERSION" \
    "tom-select@$TOM_SELECT_VERSION"

check_version() { # dir expected
    local got
    got="$(node -p "require('$1/package.json').version")"
    if [[ "$got" != "$2" ]]; then
        echo "ERROR: $1 is $got, expected $2" >&2
        exit 1
    fi
}
check_version "$NM/htmx.org" "$HTMX_VERSION"
check_version "$NM/echarts" "$ECHARTS_VERSION"
check_version "$NM/@fontsource/be-vietnam-pro" "$BE_VIETNAM_PRO_VERSION"
check_version "$NM/tom-select" "$TOM_SELECT_VERSION"

# Tom Select (Apache-2.0): the complete build (plugins included) and its default theme
mkdir -p "$VENDOR/tom-select"
install -m 0644 "$NM/tom-select/dist/js/tom-select.complete.min.js" "$VENDOR/tom-select/tom-select.complete.min.js"
install -m 0644 "$NM/tom-select/dist/css/tom-select.default.min.css" "$VENDOR/tom-select/tom-select.default.min.css"
install -m 0644 "$NM/tom-select/LICENSE" "$VENDOR/tom-select/LICENSE"

# htmx (0BSD)
mkdir -p "$VENDOR/htmx"
install -m 0644 "$NM/htmx.org/dist/htmx.min.js" "$VENDOR/htmx/htmx.min.js"
install -m 0644 "$NM/htmx.org/LICENSE" "$VENDOR/htmx/LICENSE"

# echarts (Apache-2.0; the bundle embeds zrender, BSD-3-Clause, parts of d3,
# BSD-3-Clause, and tslib helpers, 0BSD)
mkdir -p "$VENDOR/echarts"
install -m 0644 "$NM/echarts/dist/echarts.min.js" "$VENDOR/echarts/echarts.min.js"
install -m 0644 "$NM/echarts/LICENSE" "$VENDOR/echarts/LICENSE"
install -m 0644 "$NM/echarts/NOTICE" "$VENDOR/echarts/NOTICE"
install -m 0644 "$NM/echarts/licenses/LICENSE-d3" "$VENDOR/echarts/LICENSE-d3"
install -m 0644 "$NM/zrender/LICENSE" "$VENDOR/echarts/LICENSE-zrender"

# Be Vietnam Pro (SIL OFL 1.1): woff2 only, normal style
FONT_PKG="$NM/@fontsource/be-vietnam-pro"
mkdir -p "$VENDOR/be-vietnam-pro"
for subset in "${FONT_SUBSETS[@]}"; do
    for weight in "${FONT_WEIGHTS[@]}"; do
        install -m 0644 "$FONT_PKG/files/be-vietnam-pro-$subset-$weight-normal.woff2" \
            "$VENDOR/be-vietnam-pro/be-vietnam-pro-$subset-$weight-normal.woff2"
    done
done
install -m 0644 "$FONT_PKG/LICENSE" "$VENDOR/be-vietnam-pro/LICENSE"

# Check the hand-written font.css against the package.
FONT_CSS="$VENDOR/be-vietnam-pro/font.css"
if [[ ! -f "$FONT_CSS" ]]; then
    echo "ERROR: $FONT_CSS is missing (it is hand-written, see static/vendor/README.md)" >&2
    exit 1
fi
status=0
for url in $(grep -o "url([^)]*)" "$FONT_CSS" | sed -e 's/^url(//' -e 's/)$//' -e "s/['\"]//g"); do
    if [[ ! -f "$VENDOR/be-vietnam-pro/$url" ]]; then
        echo "ERROR: font.css references missing file $url" >&2
        status=1
    fi
done
# Print the unicode-range of the @font-face block that names file $2 in css $1.
range_of() {
    awk -v f="$2" '
        /@font-face/ { block = "" }
        { block = block $0 "\n" }
        /}/ { if (index(block, f)) print block }' "$1" \
        | grep -o 'unicode-range:[^;]*' | head -n1
}
for subset in "${FONT_SUBSETS[@]}"; do
    for weight in "${FONT_WEIGHTS[@]}"; do
        file="be-vietnam-pro-$subset-$weight-normal.woff2"
        want="$(range_of "$FONT_PKG/$weight.css" "$file")"
        got="$(range_of "$FONT_CSS" "$file")"
        if [[ -z "$want" || "$want" != "$got" ]]; then
            echo "ERROR: font.css unicode-range for $subset $weight differs from the package:" >&2
            echo "  package:  $want" >&2
            echo "  font.css: $got" >&2
            status=1
        fi
    done
done
if [[ $status -ne 0 ]]; then
    exit $status
fi

echo "Done. SHA-256 of the vendored assets (compare with static/vendor/README.md):"
(cd "$VENDOR" && find . -type f \( -name '*.js' -o -name '*.woff2' \) | LC_ALL=C sort | xargs sha256sum)

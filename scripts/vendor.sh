#!/usr/bin/env bash
# Refresh the front-end libraries under cardflow/static/vendor/ from the npm registry.
# The app serves these files itself: no page may load anything from a CDN.
# Test-only libraries (axe-core) go to tests/vendor/: the app never serves them.
# Usage: scripts/vendor.sh   (needs npm; edit the versions below, run, commit the result)
set -euo pipefail
cd "$(dirname "$0")/.."
app_dest=cardflow/static/vendor
test_dest=tests/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# package@version  file-in-package  name-under-vendor  destination
specs=(
  "htmx.org@2.0.11       dist/htmx.min.js                 htmx.min.js             $app_dest"
  "htmx-ext-ws@2.0.4     dist/ws.min.js                   htmx-ext-ws.min.js      $app_dest"
  "htmx-ext-sse@2.2.4    dist/sse.min.js                  htmx-ext-sse.min.js     $app_dest"
  "@picocss/pico@2.1.1   css/pico.min.css                 pico.min.css            $app_dest"
  "sortablejs@1.15.7     Sortable.min.js                  Sortable.min.js         $app_dest"
  "graphology@0.26.0     dist/graphology.umd.min.js       graphology.umd.min.js   $app_dest"
  "sigma@3.0.3           dist/sigma.min.js                sigma.min.js            $app_dest"
  "chart.js@4.6.1        dist/chart.umd.min.js            chart.umd.min.js        $app_dest"
  "axe-core@4.14.1       axe.min.js                       axe.min.js              $test_dest"
)

mkdir -p "$app_dest" "$test_dest"
{
  echo "# Vendored front-end libraries"
  echo
  echo "Served from \`cardflow/static/vendor/\`; refreshed by \`scripts/vendor.sh\` from the npm registry."
  echo "Files under \`tests/vendor/\` are used by the tests only (injected into the E2E browser), never served."
  echo
  echo "| file | package | version | license |"
  echo "| --- | --- | --- | --- |"
} > "$work/VENDOR.md"

for spec in "${specs[@]}"; do
  read -r pkg src name dest <<<"$spec"
  (cd "$work" && npm pack --silent "$pkg" >/dev/null 2>&1)
  tarball=$(ls -t "$work"/*.tgz | head -1)
  mkdir -p "$work/x" && tar -xzf "$tarball" -C "$work/x"
  cp "$work/x/package/$src" "$dest/$name"
  version=$(node -p "require('$work/x/package/package.json').version")
  license=$(node -p "require('$work/x/package/package.json').license || ''")
  # Some packages leave "license" out of package.json; their LICENSE file then says it.
  if [ -z "$license" ] && [ -f "$work/x/package/LICENSE" ]; then
    license="$(grep -m1 -v '^\s*$' "$work/x/package/LICENSE" | sed 's/^ *//') (from LICENSE)"
  fi
  # The licence text travels with the file; packages name it LICENSE, LICENSE.md or LICENSE.txt.
  # A package that ships none is covered by its package.json "license" (in VENDOR.md) and its
  # author line, which are written out so the notice is never missing.
  lic=$(ls "$work/x/package" | grep -m1 -iE '^licen[cs]e(\.md|\.txt)?$' || true)
  if [ -n "$lic" ]; then
    cp "$work/x/package/$lic" "$dest/LICENSE.${name%%.*}"
  else
    node -p "const p=require('$work/x/package/package.json'); [p.name+' '+p.version, 'License: '+(p.license||'see package'), 'Author: '+JSON.stringify(p.author||''), 'Source: '+JSON.stringify(p.repository||p.homepage||'')].join('\\n')" > "$dest/LICENSE.${name%%.*}"
  fi
  shown=$name; [ "$dest" = "$app_dest" ] || shown="$dest/$name"
  echo "| $shown | ${pkg%@*} | $version | $license |" >> "$work/VENDOR.md"
  rm -rf "$work/x" "$tarball"
done
cp "$work/VENDOR.md" "$app_dest/VENDOR.md"
echo "vendored into $app_dest and $test_dest:"; ls -l "$app_dest" "$test_dest"

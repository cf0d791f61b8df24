#!/bin/sh
# Installs what `deno task ...` needs: Deno itself (the version pinned below, from npm) and the npm packages,
# which Deno installs into node_modules exactly as deno.lock records them. deno.json sets "lock": {"frozen": true},
# so `deno install` fails rather than change deno.lock: a package.json or deno.json edit that the lock does not
# cover, or a tarball whose hash differs from the lock's, stops here. Quiet when everything is already there
# (a no-op `deno install` takes about 0.1 s).
#
#   sh tools/ensure_deps.sh             install Deno when missing (warn when another version is on PATH), then packages
#   sh tools/ensure_deps.sh --pin-deno  also replace a Deno of another version with the pinned one (CI does this)
#
# After changing a dependency (package.json, or an npm: import in deno.json), update the lock on purpose with
# `deno install --frozen=false` and commit deno.lock with the change.
set -e
cd "$(dirname "$0")/.."

# The one place that names the Deno version the project is tested with (.ci/run uses this script too).
DENO_VERSION=2.9.6

deno_version() { deno --version 2>/dev/null | sed -n '1s/^deno \([^ ]*\).*/\1/p'; }

have=$(deno_version)
if [ -z "$have" ]; then
  echo "setup: installing Deno $DENO_VERSION from npm (npm install -g deno@$DENO_VERSION)" >&2
  npm install -g --no-audit --no-fund --loglevel=error "deno@$DENO_VERSION" >&2
elif [ "$have" != "$DENO_VERSION" ]; then
  if [ "$1" = "--pin-deno" ]; then
    echo "setup: Deno $have is on PATH; installing the pinned $DENO_VERSION (npm install -g deno@$DENO_VERSION)" >&2
    npm install -g --no-audit --no-fund --loglevel=error "deno@$DENO_VERSION" >&2
  else
    echo "setup: warning: Deno $have is on PATH, the project is tested with $DENO_VERSION" \
      "(npm install -g deno@$DENO_VERSION, or sh tools/ensure_deps.sh --pin-deno)" >&2
  fi
fi
have=$(deno_version)
if [ "$1" = "--pin-deno" ] && [ "$have" != "$DENO_VERSION" ]; then
  echo "setup: Deno $DENO_VERSION was installed but $(command -v deno) is Deno $have; fix PATH" >&2
  exit 1
fi

# A node_modules that npm wrote into (earlier versions of this script, or a habitual `npm install`) is replaced
# whole: Deno would only relink the top-level packages and leave npm's copies beside its own.
if [ -e node_modules/.package-lock.json ]; then
  echo "setup: node_modules was installed by npm; removing it so that Deno installs it from deno.lock" >&2
  rm -rf node_modules
fi
# npm packages: Deno's own install, frozen to deno.lock (see deno.json "lock"); a no-op when node_modules is current.
deno install --quiet

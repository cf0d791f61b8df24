#!/bin/sh
# Installs what `deno task ...` needs on a fresh machine: Deno (from npm) and the
# project's npm packages (only when package-lock.json changed since the last
# install). Quiet when everything is already there.
#
# `npm install` (not `npm ci`): npm 11 leaves other platforms' optional packages
# (DuckDB's prebuilt bindings) out of the lock, and `npm ci` then refuses the lock
# as out of sync; `npm install` installs exactly the locked versions all the same.
set -e
cd "$(dirname "$0")/.."
if ! command -v deno >/dev/null 2>&1; then
  echo "setup: installing Deno from npm (npm install -g deno)" >&2
  npm install -g deno >&2
fi
stamp=node_modules/.credit-toolkit-lock
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing npm packages (npm install from package-lock.json)" >&2
  npm install --no-audit --no-fund --loglevel=error >&2
  echo "$want" > "$stamp"
fi

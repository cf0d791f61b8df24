#!/bin/sh
# Installs what `deno task ...` needs on a fresh machine: Deno (from npm) and the
# project's npm packages (npm ci, only when package-lock.json changed since the
# last install). Quiet when everything is already there.
set -e
cd "$(dirname "$0")/.."
if ! command -v deno >/dev/null 2>&1; then
  echo "setup: installing Deno from npm (npm install -g deno)" >&2
  npm install -g deno >&2
fi
stamp=node_modules/.credit-toolkit-lock
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$want" > "$stamp"
fi

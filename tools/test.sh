#!/bin/sh
# `deno task test`: deno test with permissions scoped to what the tests use. Extra arguments (files, --filter ...)
# pass through: `deno task test lib/io`.
#
# Writes: the temp folder (every test's scratch space) and the folders the tasks write (data, reports, .demo).
# Runs: the programs the tests start. deno (the tasks end to end, and dynalite in a process of its own), bash and sh
# (`deno task ...` as a user types it, and starting PostgreSQL), jupyter (the notebooks), redis-server (throwaway
# servers), cat and tee (kernel files under /proc and /sys, lib/io/system_file.ts), Chromium (the browser tests) and
# bench/child.sh (the fault suite checks what it refuses).
# A test that starts `deno`, `bash` or `tee` could in principle run or write anything: the price of testing the
# product's own commands end to end; the list keeps every other program out.
set -e
cd "$(dirname "$0")/.."
deno_bin=$(readlink -f "$(command -v deno)")
tmp=$(cd "${TMPDIR:-/tmp}" && pwd -P)
run="deno,$deno_bin,bash,sh,jupyter,redis-server,cat,tee,bench/child.sh"
for browser in ${CHROMIUM_PATH:-} /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
  if [ -x "$browser" ]; then run="$run,$browser"; fi
done
exec deno test --allow-read --allow-write="$tmp,data,reports,.demo" --allow-net --allow-env --allow-sys \
  --allow-run="$run" "$@"

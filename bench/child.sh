#!/bin/bash -p
# The one program `deno task bench` runs for its child processes (besides redis-server and redis-benchmark). A
# benchmark may not run `deno`, `python3`, `taskset` or `tee` itself: any of those could run anything, which would
# make the benchmark's scoped permissions worthless. This script offers a fixed menu instead:
#
#   bench/child.sh deno [--core N] FLAGS... SCRIPT ARGS...
#       deno run with FLAGS taken only from: --allow-read, --allow-net[=HOSTS], --allow-env, --allow-sys, --allow-run=cat,
#       --allow-write=PATHS (each inside this checkout or the temp folder), --v8-flags=..., --cpu-prof,
#       --cpu-prof-dir=DIR; SCRIPT must be a .ts file under bench/ or tasks/. --core N pins it to core N (taskset).
#   bench/child.sh python SCRIPT
#       /usr/bin/python3 (Debian's, for the scikit-learn anchors) on a .py file under bench/; stdin/stdout pass through.
#   bench/child.sh halt-poll-ns N
#       writes the integer N to /sys/module/haltpoll/parameters/guest_halt_poll_ns (needs root).
#
# `bash -p` ignores BASH_ENV and ENV, so a caller's environment cannot inject commands here.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd -P)
tmp=$(cd "${TMPDIR:-/tmp}" && pwd -P)
fail() { echo "bench/child.sh: $*" >&2; exit 2; }

# the canonical path of $1 when it names a file or folder inside $root or $tmp (which need not exist yet)
inside() {
  local p="$1"
  case "$p" in /*) ;; *) p="$root/$p" ;; esac
  case "$p" in *..*) return 1 ;; esac
  case "$p" in "$root" | "$root"/* | "$tmp" | "$tmp"/*) return 0 ;; *) return 1 ;; esac
}

script_under() { # $1 path, $2 folder(s) relative to root, $3 extension
  local p="$1" dir
  case "$p" in /*) ;; *) p="$root/$p" ;; esac
  case "$p" in *..*) return 1 ;; esac
  for dir in $2; do
    case "$p" in "$root/$dir/"*"$3") [ -f "$p" ] && return 0 ;; esac
  done
  return 1
}

[ $# -ge 1 ] || fail "usage: bench/child.sh deno|python|halt-poll-ns ..."
what=$1
shift
case "$what" in
  deno)
    core=""
    if [ "${1:-}" = "--core" ]; then
      [[ "${2:-}" =~ ^[0-9]+$ ]] || fail "--core needs a core number, got '${2:-}'"
      core=$2
      shift 2
    fi
    flags=()
    while [ $# -gt 0 ]; do
      case "$1" in
        --allow-read | --allow-net | --allow-net=* | --allow-env | --allow-sys | --allow-run=cat | --cpu-prof) flags+=("$1") ;;
        --v8-flags=*) flags+=("$1") ;;
        --cpu-prof-dir=*) inside "${1#--cpu-prof-dir=}" || fail "--cpu-prof-dir outside the checkout: $1"; flags+=("$1") ;;
        --allow-write=*)
          IFS=, read -r -a paths <<<"${1#--allow-write=}"
          for p in "${paths[@]}"; do inside "$p" || fail "write permission outside the checkout and temp folder: $p"; done
          flags+=("$1")
          ;;
        -*) fail "flag not allowed for a benchmark's child: $1" ;;
        *) break ;;
      esac
      shift
    done
    [ $# -ge 1 ] || fail "no script given"
    script_under "$1" "bench tasks" ".ts" || fail "not a .ts file under bench/ or tasks/: $1"
    if [ -n "$core" ]; then exec taskset -c "$core" deno run "${flags[@]}" "$@"; fi
    exec deno run "${flags[@]}" "$@"
    ;;
  python)
    [ $# -eq 1 ] || fail "python takes one script"
    script_under "$1" "bench" ".py" || fail "not a .py file under bench/: $1"
    exec /usr/bin/python3 "$1"
    ;;
  halt-poll-ns)
    [ $# -eq 1 ] && [[ "$1" =~ ^[0-9]+$ ]] || fail "halt-poll-ns takes one integer"
    echo "$1" >/sys/module/haltpoll/parameters/guest_halt_poll_ns
    ;;
  *) fail "unknown child kind: $what (deno, python or halt-poll-ns)" ;;
esac

#!/usr/bin/env bash
# Runs one task file with the Deno permissions tasks need (read anywhere, network, environment), writing only under
# data/, reports/ and .demo/, the feature repo folder (--repo, FEATURE_REPO, or the folder `deno task` was called
# from when it holds feature_store.yaml and features.ts), the local paths given to --out/--output/--save-profile (and
# init's DIR), and the folders in TOOLKIT_ALLOW_WRITE (comma-separated). Relative paths in --repo, FEATURE_REPO and
# the path flags are taken from the folder `deno task` was called from (INIT_CWD).
#
#   bash tools/run_task.sh [--allow-run=cat] [--write=DIR] [--positional-dir] tasks/NAME.ts ARGS...
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
here=${INIT_CWD:-$root}
extra=()
positional_dir=""
also_write=""
while [[ $# -gt 0 && "$1" == --* ]]; do
  if [[ "$1" == --positional-dir ]]; then
    positional_dir=1
  elif [[ "$1" == --write=* ]]; then
    also_write="${also_write:+$also_write,}${1#--write=}"
  else extra+=("$1"); fi
  shift
done
script=$1
shift
abs() { case "$1" in s3://* | /*) printf '%s' "$1" ;; *) printf '%s' "$here/$1" ;; esac; }
writes="data,reports,.demo${also_write:+,$also_write}"
allow() { case "$1" in s3://*) ;; *) writes="$writes,$1" ;; esac; }
path_flags=" repo out output save-profile scored drift-report from source input entities reference current data-dir work-dir "
write_flags=" repo out output save-profile work-dir "
repo_given=""
args=()
pending=""
seen_positional=""
for a in "$@"; do
  if [[ -n "$pending" ]]; then
    v=$(abs "$a")
    [[ "$write_flags" == *" $pending "* ]] && allow "$v"
    [[ "$pending" == repo ]] && repo_given=1
    args+=("$v")
    pending=""
    continue
  fi
  if [[ "$a" =~ ^--([a-z-]+)=(.*)$ ]] && [[ "$path_flags" == *" ${BASH_REMATCH[1]} "* ]]; then
    name=${BASH_REMATCH[1]}
    v=$(abs "${BASH_REMATCH[2]}")
    [[ "$write_flags" == *" $name "* ]] && allow "$v"
    [[ "$name" == repo ]] && repo_given=1
    args+=("--$name=$v")
  elif [[ "$a" =~ ^--([a-z-]+)$ ]] && [[ "$path_flags" == *" ${BASH_REMATCH[1]} "* ]]; then
    pending=${BASH_REMATCH[1]}
    args+=("$a")
  elif [[ -n "$positional_dir" && -z "$seen_positional" && "$a" != -* ]]; then
    v=$(abs "$a")
    allow "$v"
    seen_positional=1
    args+=("$v")
  else
    args+=("$a")
  fi
done
if [[ -z "$repo_given" ]]; then
  if [[ -n "${FEATURE_REPO:-}" ]]; then
    FEATURE_REPO=$(abs "$FEATURE_REPO")
    export FEATURE_REPO
    allow "$FEATURE_REPO"
  elif [[ "$here" != "$root" && -f "$here/feature_store.yaml" && -f "$here/features.ts" ]]; then
    export FEATURE_REPO="$here"
    allow "$here"
  fi
fi
if [[ -n "${TOOLKIT_ALLOW_WRITE:-}" ]]; then
  IFS=',' read -ra more <<<"$TOOLKIT_ALLOW_WRITE"
  for m in "${more[@]}"; do [[ -n "$m" ]] && allow "$(abs "$m")"; done
fi
export INIT_CWD="$root" # paths are absolute now; the task resolves the rest from the toolkit's folder
exec deno run --allow-read --allow-write="$writes" --allow-net --allow-env --allow-sys ${extra[@]+"${extra[@]}"} \
  "$script" ${args[@]+"${args[@]}"}

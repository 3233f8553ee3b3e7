#!/usr/bin/env bash
# Mutation testing of the send path and the check path with cargo-mutants: every
# mutant must be caught by a test, or be listed as equivalent (with its reason) in
# .cargo/mutants.toml.
#
#   bash benches/mutants.sh          # both paths (about 2 hours on 2 cores)
#   bash benches/mutants.sh send     # the send path only
#   bash benches/mutants.sh check    # the check path only
#
# Needs cargo-mutants and cargo-nextest (cargo install cargo-mutants cargo-nextest).
# Each pass runs only the tests that exercise its files, so a mutant builds and is
# tested in about 25 seconds. Results are in mutants.out/ (missed.txt must be empty);
# the script exits 1 when a mutant was missed.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-mutants >/dev/null || { echo "cargo install cargo-mutants" >&2; exit 1; }
command -v cargo-nextest >/dev/null || { echo "cargo install cargo-nextest" >&2; exit 1; }

# The files are listed in .cargo/mutants.toml (`examine_globs`), with the mutants
# that are equivalent (`exclude_re`); a pass picks its files by path.
pass() {
  local name=$1 paths=$2; shift 2
  echo "== $name path: cargo mutants -F '$paths'"
  cargo mutants --test-tool nextest -F "$paths" -o "mutants.out/$name" -- "$@" || true
  local missed="mutants.out/$name/mutants.out/missed.txt"
  echo "$name: $(wc -l < "mutants.out/$name/mutants.out/caught.txt") caught," \
    "$(wc -l < "$missed") missed," \
    "$(wc -l < "mutants.out/$name/mutants.out/timeout.txt") timed out," \
    "$(wc -l < "mutants.out/$name/mutants.out/unviable.txt") unviable"
  [ ! -s "$missed" ]
}

status=0
case "${1:-all}" in
  send|all) pass send '^src/send/' --lib --test send --test exactly_once --test online \
      -E 'binary(send) | binary(exactly_once) | binary(online) | test(/^send::/)' || status=1 ;;&
  check|all) pass check '^src/(check|markup)/' --lib --test fixtures --test conformance --test cli --test online \
      -E 'binary(fixtures) | binary(conformance) | binary(cli) | binary(online) | test(/^(check|markup)::/)' || status=1 ;;
esac
exit $status

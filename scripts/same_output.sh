#!/usr/bin/env bash
# Byte-for-byte check that an optimisation changed no output (issue #14).
#
#   scripts/same_output.sh BEFORE_NTM AFTER_NTM [ROWS]     default ROWS: 100000
#
# Runs both binaries over the same generated files (scripts/gen_communes.py, ROWS rows; the
# long and table formats, which are large or kept in memory, on ROWS/10) in every output
# format, plain and with --closest, --all-levels and --margin 2%, plus a file with bad cells
# read with and without --lenient, and compares standard output, standard error and the exit
# status of each pair. Prints one line per case and exits 1 if any differs (the two outputs of
# the first difference are left in $dir/diff-*).
set -euo pipefail
cd "$(dirname "$0")/.."

before=${1:?usage: scripts/same_output.sh BEFORE_NTM AFTER_NTM [ROWS]}
after=${2:?usage: scripts/same_output.sh BEFORE_NTM AFTER_NTM [ROWS]}
rows=${3:-100000}
small=$((rows / 10))
dir=${BENCH_DIR:-target/bench-data}
mkdir -p "$dir"

big="$dir/communes-$rows.csv"
[ -s "$big" ] || python3 scripts/gen_communes.py "$rows" >"$big"
little="$dir/communes-$small.csv"
[ -s "$little" ] || python3 scripts/gen_communes.py "$small" >"$little"
# Bad cells (read as no data under --lenient): a word in a percent column, a word in a yes/no
# column; and quoted decimal commas, which are good cells.
bad="$dir/communes-$small-bad.csv"
awk -F, -v OFS=, 'NR > 1 && NR % 97 == 0 { $10 = "nhiều" } NR > 1 && NR % 89 == 0 { $6 = "có lẽ" }
  NR > 1 && NR % 83 == 0 { $14 = "\"1,5\"" } { print }' "$little" >"$bad"

# Runs "$@" with both binaries; prints `same` or `DIFFERS` with the case.
failed=0
check() {
  local name=$1
  shift
  local a b
  a=$(mktemp) b=$(mktemp)
  set +e
  "$before" "$@" >"$a.out" 2>"$a.err"
  echo "exit $?" >>"$a.err"
  "$after" "$@" >"$b.out" 2>"$b.err"
  echo "exit $?" >>"$b.err"
  set -e
  if cmp -s "$a.out" "$b.out" && cmp -s "$a.err" "$b.err"; then
    printf 'same     %-40s %12s bytes\n' "$name" "$(stat -c %s "$a.out")"
  else
    printf 'DIFFERS  %s\n' "$name"
    if [ "$failed" = 0 ]; then
      for f in out err; do
        cp "$a.$f" "$dir/diff-before.$f"
        cp "$b.$f" "$dir/diff-after.$f"
      done
    fi
    failed=1
  fi
  rm -f "$a" "$b" "$a.out" "$a.err" "$b.out" "$b.err"
}

for flags in "" "--closest" "--all-levels" "--margin 2%" "--closest 3 --all-levels --margin 2%"; do
  # shellcheck disable=SC2086 # the flags are words
  for fmt in csv json ndjson; do
    check "$fmt $flags ($rows rows)" evaluate "$big" --format "$fmt" $flags
  done
  # shellcheck disable=SC2086
  for fmt in long table; do
    check "$fmt $flags ($small rows)" evaluate "$little" --format "$fmt" $flags
  done
done
for fmt in csv json ndjson long table; do
  check "$fmt bad cells" evaluate "$bad" --format "$fmt"
  check "$fmt bad cells --lenient" evaluate "$bad" --format "$fmt" --lenient
done
check "table --lang vi" evaluate "$little" --lang vi
exit "$failed"

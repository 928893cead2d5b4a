#!/usr/bin/env bash
# CI for a ruleset repository: `ntm check` the rulesets, `ntm test` the cases, and `ntm diff`
# each changed ruleset against the base branch's copy on sample communes (markdown for a
# pull-request comment). Documented in docs/ci.md.
#
# Usage: ruleset-ci.sh [-c CASES] [-b BASE_DIR] [-d DATA] [-o OUT_DIR] RULESET...
#   RULESET...   the ruleset files to check (and to diff when BASE_DIR has them)
#   -c CASES     case files or directories for `ntm test` (repeatable; default: tests/)
#   -b BASE_DIR  a checkout of the base branch (e.g. `git worktree add base origin/main`):
#                each RULESET found at BASE_DIR/RULESET is diffed against it
#   -d DATA      commune data for `ntm diff` (repeatable)
#   -o OUT_DIR   where reports go (default: ntm-ci/): check.txt, junit.xml, diff.md
# Environment: NTM (the ntm binary, default `ntm`), NTM_CHECK_ARGS (extra `ntm check`
# arguments, e.g. "--deny warnings --allow unverified"), NTM_TEST_ARGS (extra `ntm test`
# arguments, e.g. "--min-coverage 50").
#
# Every step runs even when an earlier one fails, so one run reports everything. Exit status:
# 0 when check and test pass; 1 when either found problems (the diff never fails the job: it is
# for review); 2 on bad usage.
set -uo pipefail

NTM=${NTM:-ntm}
out=ntm-ci
base=
cases=()
data=()
while getopts "c:b:d:o:h" opt; do
  case $opt in
    c) cases+=("$OPTARG") ;;
    b) base=$OPTARG ;;
    d) data+=("$OPTARG") ;;
    o) out=$OPTARG ;;
    h) sed -n '2,21p' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
if [ $# -eq 0 ]; then
  echo "ruleset-ci.sh: name the ruleset files to check (-h for help)" >&2
  exit 2
fi
[ ${#cases[@]} -eq 0 ] && cases=(tests)
mkdir -p "$out"
status=0

echo "== ntm check"
# shellcheck disable=SC2086 # NTM_CHECK_ARGS is a list of arguments
if ! "$NTM" check ${NTM_CHECK_ARGS:-} "$@" > "$out/check.txt"; then
  status=1
fi
cat "$out/check.txt"

echo "== ntm test"
# shellcheck disable=SC2086
"$NTM" test ${NTM_TEST_ARGS:-} "${cases[@]}" --format junit > "$out/junit.xml"
test_status=$?
# The same run for people (the JUnit file is for the CI's test report).
# shellcheck disable=SC2086
"$NTM" test ${NTM_TEST_ARGS:-} "${cases[@]}" || true
[ $test_status -ne 0 ] && status=1

: > "$out/diff.md"
if [ -n "$base" ] && [ ${#data[@]} -gt 0 ]; then
  echo "== ntm diff"
  for rules in "$@"; do
    if [ ! -f "$base/$rules" ]; then
      printf '### `%s`\n\nNew ruleset: not in the base branch.\n\n' "$rules" >> "$out/diff.md"
      continue
    fi
    if cmp -s "$base/$rules" "$rules"; then
      continue
    fi
    printf '### `%s`\n\n' "$rules" >> "$out/diff.md"
    if ! "$NTM" diff "$base/$rules" "$rules" --data "${data[@]}" --format md >> "$out/diff.md"; then
      printf '\n`ntm diff` could not compare this ruleset (see the job log).\n' >> "$out/diff.md"
    fi
    printf '\n' >> "$out/diff.md"
  done
  cat "$out/diff.md"
fi
exit $status

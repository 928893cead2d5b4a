#!/usr/bin/env bash
# Whole-program benchmark of `ntm evaluate` (issue #7); figures go in docs/performance.md.
#
#   scripts/bench.sh [ROWS...]        default: 150 10000 100000 1000000
#
# Generates seeded data from data/vn-admin-units-2024.csv (scripts/gen_communes.py), then
# times, with /usr/bin/time -v, the csv-crate parse-only baseline (examples/parse_only.rs)
# and `ntm evaluate FILE --format csv` with the embedded default ruleset, and prints
# rows, MB, seconds, MB/s, peak RSS and the ratio of ntm's speed to the baseline's.
# FORMATS="json ndjson long table" also times those formats on the same file, right after
# csv, each on a line of its own with its time as a multiple of csv's.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time (apt package \`time\`)" >&2
  apt-get install -y time >/dev/null
fi

read -r -a formats <<<"${FORMATS:-}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(150 10000 100000 1000000)
dir=${BENCH_DIR:-target/bench-data}
mkdir -p "$dir"

cargo build --release --locked --bin ntm --example parse_only >&2
target=${CARGO_TARGET_DIR:-target}
ntm=$target/release/ntm
parse=$target/release/examples/parse_only

# Runs "$@" with stdout discarded; prints "seconds peak_rss_kb".
measure() {
  local log
  log=$(mktemp)
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; rm -f "$log"; return 1; }
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i] }
    /Maximum resident set size/ { rss = $2 }
    END { printf "%.3f %d\n", s, rss }' "$log"
  rm -f "$log"
}

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-9s %-9s %8s %8s %8s %9s %9s %7s\n' \
  rows MB parse_s eval_s eval_MB/s parse_RSS eval_RSS ratio
for n in "${sizes[@]}"; do
  f="$dir/communes-$n.csv"
  [ -s "$f" ] || python3 scripts/gen_communes.py "$n" > "$f"
  bytes=$(stat -L -c %s "$f")
  cat "$f" > /dev/null # into the page cache, so neither timed run pays for the disk
  read -r ps prss < <(measure "$parse" "$f")
  read -r es erss < <(measure "$ntm" evaluate "$f" --format csv)
  # `time -v` counts in 10 ms steps: below two steps a time, its MB/s and the ratio say
  # nothing, so they print as `-`.
  awk -v n="$n" -v b="$bytes" -v ps="$ps" -v es="$es" -v prss="$prss" -v erss="$erss" 'BEGIN {
    mb = b / 1e6
    rate = (es >= 0.02 ? sprintf("%8.1f", mb / es) : sprintf("%8s", "-"))
    ratio = (ps >= 0.02 && es >= 0.02 ? sprintf("%7.2f", ps / es) : sprintf("%7s", "-"))
    printf "%-9d %-9.1f %8.3f %8.3f %s %8dK %8dK %s\n", n, mb, ps, es, rate, prss, erss, ratio
  }'
  for fmt in "${formats[@]}"; do
    if read -r fs frss < <(measure "$ntm" evaluate "$f" --format "$fmt" 2>/dev/null); then
      awk -v f="$fmt" -v fs="$fs" -v es="$es" -v frss="$frss" 'BEGIN {
        printf "  --format %-7s %8.3f s  peak RSS %8dK  %s x csv\n", f, fs, frss,
          (es >= 0.02 ? sprintf("%.2f", fs / es) : "-")
      }'
    else
      echo "  --format $fmt refused or failed (exit non-zero)"
    fi
  done
done
# Start-up plus one province: /usr/bin/time counts only in 10 ms steps, so take a mean.
f="$dir/communes-150.csv"
[ -s "$f" ] || python3 scripts/gen_communes.py 150 > "$f"
start=$(date +%s%N)
for _ in $(seq 20); do "$ntm" evaluate "$f" >/dev/null; done
echo "150 rows, default table output: $(( ($(date +%s%N) - start) / 20000000 )) ms mean of 20 runs"
echo "ratio = parse-only seconds / ntm seconds (issue #7 asks for >= 0.50)"

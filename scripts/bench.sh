#!/usr/bin/env bash
# Whole-program benchmark of `ntm evaluate` (issue #7); figures go in docs/performance.md.
#
#   scripts/bench.sh [--peers] [ROWS...]        default: 150 10000 100000 1000000
#
# Generates seeded data from data/vn-admin-units-2024.csv (scripts/gen_communes.py), then
# times, with /usr/bin/time -v, the csv-crate parse-only baseline (examples/parse_only.rs)
# and `ntm evaluate FILE --format csv` with the embedded default ruleset, and prints
# rows, MB, seconds, MB/s, peak RSS and the ratio of ntm's speed to the baseline's.
#
# --peers also runs the same evaluation in DuckDB and Polars over each file (scripts/peers/:
# SQL and expressions generated from `ntm rules show --format json`), each writing its CSV to a
# file as ntm does, prints their times and the ratios to ntm's, and checks that they reach
# the same level for every commune. It needs python3; duckdb and polars are installed with pip
# into a virtual environment under the target directory ($target/peers-venv) on first use.
# Without python3 or the packages, the peers are skipped with a message.
# FORMATS="json ndjson long table" also times those formats on the same file, right after
# csv, each on a line of its own with its time as a multiple of csv's.
set -euo pipefail
cd "$(dirname "$0")/.."

peers=false
args=()
for a in "$@"; do
  if [ "$a" = --peers ]; then peers=true; else args+=("$a"); fi
done
set -- ${args[@]+"${args[@]}"}

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
  # The same with `-o FILE` (no spool: the rows go straight into -o's temporary file, which
  # is synced and renamed into place), and its ratio to parse-only.
  out="$dir/bench-out.csv"
  read -r os orss < <(measure "$ntm" evaluate "$f" --format csv -o "$out" -q)
  rm -f "$out"
  awk -v os="$os" -v ps="$ps" -v orss="$orss" 'BEGIN {
    printf "  -o FILE (csv)    %8.3f s  peak RSS %8dK  ratio %s\n", os, orss,
      (ps >= 0.02 && os >= 0.02 ? sprintf("%.2f", ps / os) : "-")
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
# Start-up plus one province (150 communes, target 20 ms) and plus the national list (7,700,
# target 100 ms), with the built-in ruleset chosen by the data's year as without --rules:
# /usr/bin/time counts only in 10 ms steps, so take a mean of 20 runs and the best run.
for n in 150 7700; do
  f="$dir/communes-$n.csv"
  [ -s "$f" ] || python3 scripts/gen_communes.py "$n" > "$f"
  total=0 best=
  for _ in $(seq 20); do
    start=$(date +%s%N)
    "$ntm" evaluate "$f" >/dev/null 2>&1
    t=$(( $(date +%s%N) - start ))
    total=$((total + t))
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
  done
  echo "$n rows, default table output: mean $((total / 20000000)) ms, best $((best / 1000000)) ms of 20 runs"
done
echo "ratio = parse-only seconds / ntm seconds (issue #7 asks for >= 0.50)"

$peers || exit 0

# The peers' Python: a virtual environment with duckdb and polars, made on first use.
peer_python() {
  local venv=$target/peers-venv
  if ! command -v python3 >/dev/null; then
    echo "peers skipped: no python3" >&2
    return 1
  fi
  if ! "$venv/bin/python" -c 'import duckdb, polars' 2>/dev/null; then
    echo "installing duckdb and polars with pip into $venv" >&2
    { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet duckdb polars; } >&2 ||
      { echo "peers skipped: could not install duckdb and polars with pip" >&2; return 1; }
  fi
  echo "$venv/bin/python"
}
py=$(peer_python) || exit 0

# Runs "$@" with stdout discarded; prints "seconds peak_rss_kb cpu_seconds" (user + system:
# on a shared machine the CPU a program spends says more than its wall-clock time).
measure_cpu() {
  local log
  log=$(mktemp)
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; rm -f "$log"; return 1; }
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i] }
    /Maximum resident set size/ { rss = $2 }
    /User time \(seconds\)/ || /System time \(seconds\)/ { cpu += $2 }
    END { printf "%.3f %d %.2f\n", s, rss, cpu }' "$log"
  rm -f "$log"
}
plan="$dir/peers-plan.json"
python3 scripts/peers/plan.py "$ntm" > "$plan"
echo
echo "peers: $("$py" -c 'import duckdb, polars, sys; print(f"duckdb {duckdb.__version__}, polars {polars.__version__}, python {sys.version.split()[0]}")')"
echo "python start-up with both imports: $(measure_cpu "$py" -c 'import duckdb, polars' | awk '{print $1 " s wall, " $3 " s CPU"}') (in each peer's figures)"
printf '%-9s %15s %15s %15s %9s %9s %9s %15s %15s\n' \
  rows 'ntm s (CPU)' 'duckdb s (CPU)' 'polars s (CPU)' ntm_RSS duck_RSS pol_RSS duck/ntm pol/ntm
for n in "${sizes[@]}"; do
  f="$dir/communes-$n.csv"
  [ -s "$f" ] || python3 scripts/gen_communes.py "$n" > "$f"
  cat "$f" > /dev/null
  # Every program writes its CSV to a file: ntm through its stdout, the peers by themselves.
  read -r ns nrss nc < <(measure_cpu sh -c 'exec "$0" evaluate "$1" --format csv > "$2"' \
    "$ntm" "$f" "$dir/peers-ntm-$n.csv")
  read -r ds drss dc < <(measure_cpu "$py" scripts/peers/duckdb_eval.py "$plan" "$f" "$dir/peers-duckdb-$n.csv")
  read -r ps prss pc < <(measure_cpu "$py" scripts/peers/polars_eval.py "$plan" "$f" "$dir/peers-polars-$n.csv")
  awk -v n="$n" -v ns="$ns" -v ds="$ds" -v ps="$ps" -v nc="$nc" -v dc="$dc" -v pc="$pc" \
    -v nrss="$nrss" -v drss="$drss" -v prss="$prss" '
    function ratio(p, q, pc, qc) {
      return (q >= 0.02 && qc >= 0.02 ? sprintf("%.1f (%.1f)", p / q, pc / qc) : "-")
    }
    BEGIN {
      printf "%-9d %15s %15s %15s %8dK %8dK %8dK %15s %15s\n", n,
        sprintf("%.2f (%.2f)", ns, nc), sprintf("%.2f (%.2f)", ds, dc), sprintf("%.2f (%.2f)", ps, pc),
        nrss, drss, prss, ratio(ds, ns, dc, nc), ratio(ps, ns, pc, nc)
    }'
  python3 scripts/peers/agree.py "$dir/peers-ntm-$n.csv" \
    duckdb="$dir/peers-duckdb-$n.csv" polars="$dir/peers-polars-$n.csv"
done
echo "duck/ntm, pol/ntm = the peer's seconds / ntm's seconds, wall (CPU): how many times longer the peer takes"

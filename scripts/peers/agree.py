#!/usr/bin/env python3
"""Whether the peers reach the levels ntm reaches on the same file (scripts/bench.sh --peers).

Counts communes per level in ntm's `--format csv` output (its `#` head lines skipped) and in
each peer's output, prints one line per level, and compares row by row (level and zone).
Exits 1 when any count or row differs.

usage: agree.py NTM.csv NAME=PEER.csv...
"""
import csv
import sys
from collections import Counter


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def main():
    ntm = rows(sys.argv[1])
    peers = [(a.split("=", 1)[0], rows(a.split("=", 1)[1])) for a in sys.argv[2:]]
    counts = [("ntm", Counter(r["level"] for r in ntm))]
    counts += [(name, Counter(r["level"] for r in rs)) for name, rs in peers]
    levels = sorted({lv for _, c in counts for lv in c}, key=lambda lv: (lv != "", lv))
    print("communes per level: " + "  ".join(
        f"{lv or '(none)'}: " + " / ".join(f"{name} {c[lv]}" for name, c in counts)
        for lv in levels))
    ok = True
    for name, rs in peers:
        differ = sum(1 for a, b in zip(ntm, rs) if (a["level"], a["zone"]) != (b["level"], b["zone"]))
        differ += abs(len(ntm) - len(rs))
        same = differ == 0 and counts[0][1] == Counter(r["level"] for r in rs)
        print(f"{name}: {'agrees with ntm' if same else 'DIFFERS from ntm'} "
              f"({len(rs)} rows, {differ} rows with another level or zone)")
        ok &= same
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

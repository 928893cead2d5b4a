#!/usr/bin/env python3
"""Deterministic commune data for scripts/bench.sh (issue #7).

Rows take their code, name, district and province from the real commune list
data/vn-admin-units-2024.csv (communes only, cycled when more rows are asked for) and every
2021-2025 measure column of examples/communes.csv, each cell drawn with a fixed seed from the
values that column has in the example. Same arguments, same bytes.

Only the first pass over the list carries codes: a commune twice in one assessment year is a
`duplicate-code` error, and rows without a code are not checked against each other or the
official list, so any number of rows stays valid.

usage: gen_communes.py ROWS [SEED] > out.csv
"""
import csv
import random
import sys


def main():
    rows = int(sys.argv[1])
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    rnd = random.Random(seed)
    with open("data/vn-admin-units-2024.csv", newline="", encoding="utf-8") as f:
        # Quảng Ninh needs a `region` column for 318 (ambiguous-province), so it is left out.
        units = [
            u
            for u in csv.DictReader(f)
            if u["unit_kind"] == "xã" and "Quảng Ninh" not in u["province"]
        ]
    with open("examples/communes.csv", newline="", encoding="utf-8") as f:
        ex = list(csv.reader(f))
    header, sample = ex[0], ex[1:]
    ident = {"code", "name", "district", "province"}
    pools = [sorted({r[i] for r in sample}) for i in range(len(header))]
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(header)
    for n in range(rows):
        u = units[n % len(units)]
        row = []
        for i, h in enumerate(header):
            if h == "code":
                row.append(u["unit_code"] if n < len(units) else "")
            elif h == "name":
                row.append(u["unit"])
            elif h == "district":
                row.append(u["district"])
            elif h == "province":
                row.append(u["province"])
            elif h in ident:
                row.append("")
            else:
                row.append(rnd.choice(pools[i]))
        out.writerow(row)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The evaluation plan the peers of scripts/bench.sh --peers run (docs/performance.md, "Peers").

Asks ntm for a ruleset, resolved for every zone and every year of its period
(`ntm rules show ID --format json --zone Z --year Y`), and for the province -> zone table
(data/provinces.csv), and prints one JSON plan: measures with their kinds, overrides, and per
level its criteria and indicators, each compare threshold given per "ZONE:YEAR" as decimal
text. The peers (duckdb_eval.py, polars_eval.py) build their SQL and expressions from it, so
they follow the ruleset rather than a copy of its thresholds.

usage: plan.py NTM [RULESET_ID] > plan.json
"""
import csv
import json
import subprocess
import sys


def show(ntm, rs, zone=None, year=None):
    cmd = [ntm, "rules", "show", rs, "--format", "json"]
    if zone is not None:
        cmd += ["--zone", zone, "--year", str(year)]
    out = subprocess.run(cmd, check=True, capture_output=True).stdout
    # Thresholds stay decimal text: no float ever stands between a value and its verdict.
    return json.loads(out, parse_float=str, parse_int=str)


def provinces():
    """Province name -> zone, for names whose region is one and the same in every set."""
    seen = {}
    with open("data/provinces.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            z = r["regions"].strip() or None
            if r["province"] in seen and seen[r["province"]] != z:
                z = None
            seen[r["province"]] = z
    return {p: z for p, z in seen.items() if z}


def main():
    ntm = sys.argv[1]
    rs_id = sys.argv[2] if len(sys.argv) > 2 else "ntm-2021-2025"
    base = show(ntm, rs_id)
    first, last = (int(y) for y in base["period"])
    zones = [z["id"] for z in base["zones"]]
    levels = [
        {
            "id": lv["id"],
            "requires": lv["requires"],
            "criteria": [
                {
                    "id": c["id"],
                    "need": int(c["at_least"]) if c["at_least"] is not None
                    else len(c["indicators"]),
                    "indicators": [
                        {"id": i["id"], "measure": i["measure"], "op": i["op"], "thresholds": {}}
                        for i in c["indicators"]
                    ],
                }
                for c in lv["criteria"]
            ],
        }
        for lv in base["levels"]
    ]
    for zone in zones:
        for year in range(first, last + 1):
            resolved = show(ntm, rs_id, zone, year)
            for lv, rlv in zip(levels, resolved["levels"]):
                for c, rc in zip(lv["criteria"], rlv["criteria"]):
                    for i, ri in zip(c["indicators"], rc["indicators"]):
                        r = ri.get("resolved")
                        if i["op"] not in ("yes", "none") and r and r.get("value") is not None:
                            i["thresholds"][f"{zone}:{year}"] = r["value"]
    plan = {
        "ruleset": rs_id,
        "measures": {m["id"]: m["kind"] for m in base["measures"]},
        "overrides": [{"measure": o["measure"], "zone": o["zone"]} for o in base["overrides"]],
        "provinces": provinces(),
        "levels": levels,
    }
    json.dump(plan, sys.stdout, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()

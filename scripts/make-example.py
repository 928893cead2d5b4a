#!/usr/bin/env python3
"""Generate examples/communes.csv: real communes, SYNTHETIC indicator values.

The names and codes are real (data/vn-admin-units-2024.csv, General Statistics Office); every
indicator value is made up from the built-in ruleset so that the example shows each outcome:
communes at every level, a commune blocked by one indicator, one with missing data, and an
extremely difficult commune held to the northern-mountain column (318/QĐ-TTg Article 1).

    cargo run -q -- rules show ntm-2021-2025 --format json > /tmp/rs.json
    python3 scripts/make-example.py /tmp/rs.json > examples/communes.csv

The committed file was then edited by hand where the ruleset changed after it was generated
(advanced criterion 14: its four health indicators, with the values of the communes built to
reach advanced or model raised to meet them), so that the example's levels stay as planned.
"""
import csv, json, random, sys
from decimal import Decimal

rs = json.load(open(sys.argv[1], encoding="utf-8"))
rng = random.Random(2025)
units = [r for r in csv.DictReader(open("data/vn-admin-units-2024.csv", encoding="utf-8"))
         if r["unit_kind"] == "xã"]
picked = [u for u in units if u["district"] == "Huyện Thanh Hà"][:8] + \
         [u for u in units if u["district"] == "Huyện Cái Nước"][:4]
region = {"Tỉnh Hải Dương": "RRD", "Tỉnh Cà Mau": "MRD"}
measures = {m["id"]: m for m in rs["measures"]}

def need(ind, zone, year=2025):
    """The threshold in force for zone and year (latest from <= year)."""
    entries = [e for e in ind["thresholds"] if e["from"] is None or e["from"] <= year] or ind["thresholds"][:1]
    return Decimal(str(entries[-1]["values"][zone]))

def passing(ind, zone, margin):
    m = measures[ind["measure"]]
    if ind["op"] == "yes": return "Đạt"
    if ind["op"] == "none": return "0"
    t = need(ind, zone)
    if ind["op"] in (">=", ">"):
        v = t * (1 + margin) + (Decimal("0.5") if ind["op"] == ">" else 0)
    elif ind["op"] in ("<=", "<"):
        v = t * (1 - margin) - (Decimal("0.5") if ind["op"] == "<" else 0)
    else:
        v = t
    if m["kind"] == "percent": v = min(v, Decimal(100))
    if m["kind"] == "count": v = v.to_integral_value(rounding="ROUND_CEILING")
    return f"{v.quantize(Decimal('0.1')).normalize():f}".replace(".", ",") if m["kind"] != "count" else str(v)

def failing(ind, zone):
    if ind["op"] == "yes": return "Không đạt"
    if ind["op"] == "none": return "2"
    t = need(ind, zone)
    v = t * Decimal("0.9") if ind["op"] in (">=", ">") else t * Decimal("1.1") + 1
    if measures[ind["measure"]]["kind"] == "percent": v = min(v, Decimal(100))
    return f"{v.quantize(Decimal('0.1')).normalize():f}"

levels = {l["id"]: l for l in rs["levels"]}
# Target outcome per commune: the level its values are built to reach.
plan = ["model", "advanced", "advanced", "standard", "standard", "standard", "none-income",
        "none-nodata", "advanced", "standard", "ed-standard", "none-many"]
cols = ["year", "code", "name", "district", "province"] + list(measures)
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(cols)
for u, target in zip(picked, plan):
    zone = region[u["province"]]
    row = {m: "" for m in measures}
    top = {"model": "model", "advanced": "advanced"}.get(target, "standard")
    order = ["standard", "advanced", "model"]
    for lid in order[: order.index(top) + 1]:
        for c in levels[lid]["criteria"]:
            for ind in c["indicators"]:
                if ind["derived"]: continue
                if row[ind["measure"]] == "":
                    row[ind["measure"]] = passing(ind, "NMM" if target.startswith("ed-") else zone, Decimal(rng.choice(["0.02", "0.05", "0.1"])))
    if top == "model":
        adv10 = next(i for c in levels["advanced"]["criteria"] for i in c["indicators"] if i["id"] == "10")
        row["income_per_capita"] = str((need(adv10, zone) * Decimal("1.12")).quantize(Decimal("0.1")))
    if target == "none-income":
        std10 = next(i for c in levels["standard"]["criteria"] for i in c["indicators"] if i["id"] == "10")
        row["income_per_capita"] = failing(std10, zone)
    if target == "none-nodata":
        row["health_insurance_pct"] = ""
    if target == "none-many":
        for ind in rng.sample([i for c in levels["standard"]["criteria"] for i in c["indicators"]], 4):
            row[ind["measure"]] = failing(ind, zone)
    if target.startswith("ed-"):
        row["extremely_difficult"] = "x"
    for m in measures.values():
        if row[m["id"]] == "" and m["kind"] == "bool" and not m["optional"] and target != "none-nodata":
            row[m["id"]] = "Không đạt"
    w.writerow(["2025", u["unit_code"], u["unit"], u["district"], u["province"]] + [row[m] for m in measures])

#!/usr/bin/env python3
"""`ntm evaluate`'s level verdict in Polars, as lazy expressions generated from plan.py's plan.

The same steps as duckdb_eval.py: cells read as text, measures typed (yes/no words; decimals
with `.` or `,` as Decimal(38, 10), exact), zone from an override or the province, each
indicator judged (null = no data), criteria counted against their `need`, levels reached in
ruleset order, and row, code, name, province, zone, year, level written as CSV in input order.

usage: polars_eval.py PLAN.json INPUT.csv OUTPUT.csv
"""
import json
import sys
from decimal import Decimal

import polars as pl

YES = ["đạt", "dat", "có", "co", "yes", "y", "true", "1", "x"]
NO = ["không đạt", "khong dat", "chưa đạt", "chua dat", "không", "khong", "no", "n", "false", "0"]
DEC = pl.Decimal(38, 10)


def typed(measure, kind):
    cell = pl.col(measure).str.strip_chars()
    if kind == "bool":
        low = cell.str.to_lowercase()
        return pl.when(low.is_in(YES)).then(True).when(low.is_in(NO)).then(False).otherwise(None)
    num = cell.str.strip_chars_end("%").str.replace(",", ".", literal=True)
    return pl.when(num == "").then(None).otherwise(num).cast(DEC, strict=False)


def threshold(thresholds):
    """Per "ZONE:YEAR" key its value; null (no verdict) elsewhere."""
    by_value = {}
    for key, value in thresholds.items():
        by_value.setdefault(value, []).append(key)
    expr = None
    for value, keys in by_value.items():
        hit = pl.col("zy").is_in(keys)
        v = pl.lit(Decimal(value)).cast(DEC)
        expr = pl.when(hit).then(v) if expr is None else expr.when(hit).then(v)
    return pl.lit(None, dtype=DEC) if expr is None else expr.otherwise(None)


OPS = {
    ">=": lambda v, t: v >= t,
    ">": lambda v, t: v > t,
    "<=": lambda v, t: v <= t,
    "<": lambda v, t: v < t,
    "=": lambda v, t: v == t,
    "==": lambda v, t: v == t,
}


def evaluate(plan, src):
    measures = plan["measures"]
    used = sorted({i["measure"] for lv in plan["levels"] for c in lv["criteria"]
                   for i in c["indicators"]} | {o["measure"] for o in plan["overrides"]})
    df = pl.scan_csv(src, infer_schema=False).with_row_index("row", offset=1)
    df = df.with_columns(
        pl.col("year").cast(pl.Int32, strict=False),
        *[typed(m, measures[m]).alias("m_" + m) for m in used],
    )
    zone = pl.col("province").replace_strict(plan["provinces"], default=None,
                                             return_dtype=pl.String)
    for o in reversed(plan["overrides"]):
        zone = pl.when(pl.col("m_" + o["measure"]).fill_null(False)).then(pl.lit(o["zone"])) \
            .otherwise(zone)
    df = df.with_columns(zone.alias("zone"))
    df = df.with_columns((pl.col("zone") + ":" + pl.col("year").cast(pl.String)).alias("zy"))
    ids = [lv["id"] for lv in plan["levels"]]
    reached = []
    for li, lv in enumerate(plan["levels"]):
        crits = []
        for c in lv["criteria"]:
            tests = []
            for i in c["indicators"]:
                v = pl.col("m_" + i["measure"])
                if i["op"] == "yes":
                    t = v
                elif i["op"] == "none":
                    t = v == pl.lit(Decimal(0)).cast(DEC)
                else:
                    t = OPS[i["op"]](v, threshold(i["thresholds"]))
                tests.append(t.fill_null(False).cast(pl.Int32))
            crits.append(pl.sum_horizontal(tests) >= c["need"])
        cond = pl.all_horizontal(crits)
        if lv["requires"]:
            cond = cond & pl.col(f"l_{ids.index(lv['requires'])}")
        df = df.with_columns(cond.alias(f"l_{li}"))
        reached.append(f"l_{li}")
    level = pl.lit("")
    for li in range(len(ids)):  # the last level reached wins, as in ntm
        level = pl.when(pl.col(f"l_{li}")).then(pl.lit(ids[li])).otherwise(level)
    return df.select("row", "code", "name", "province", "zone", "year", level.alias("level"))


def main():
    plan_path, src, dst = sys.argv[1:4]
    with open(plan_path, encoding="utf-8") as f:
        plan = json.load(f)
    evaluate(plan, src).collect().write_csv(dst)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""`ntm evaluate`'s level verdict in DuckDB, as one SQL query generated from plan.py's plan.

Reads the CSV as text, types each measure cell (yes/no words, decimals with `.` or `,` as
DECIMAL(38,10): exact, no float), takes the zone from the province (or an override), judges
every indicator (NULL = no data, as ntm), counts each criterion's indicators met against
its `need`, reaches a level when every criterion passes and its required level is reached,
and writes row, code, name, province, zone, year, level as CSV in input order.

usage: duckdb_eval.py PLAN.json INPUT.csv OUTPUT.csv [--sql]   (--sql prints the query)
"""
import json
import sys

YES = ["đạt", "dat", "có", "co", "yes", "y", "true", "1", "x"]
NO = ["không đạt", "khong dat", "chưa đạt", "chua dat", "không", "khong", "no", "n", "false", "0"]
DEC = "DECIMAL(38,10)"


def q(name):
    return '"' + name.replace('"', '""') + '"'


def lit(text):
    return "'" + text.replace("'", "''") + "'"


def words(ws):
    return ", ".join(lit(w) for w in ws)


def typed(measure, kind):
    cell = f"lower(trim({q(measure)}))"
    if kind == "bool":
        return (f"CASE WHEN {cell} IN ({words(YES)}) THEN TRUE "
                f"WHEN {cell} IN ({words(NO)}) THEN FALSE END")
    num = f"replace(rtrim(trim({q(measure)}), '%'), ',', '.')"
    return f"TRY_CAST(NULLIF({num}, '') AS {DEC})"


def threshold(thresholds):
    """CASE over "ZONE:YEAR" grouping keys of equal value; NULL (no verdict) elsewhere."""
    by_value = {}
    for key, value in thresholds.items():
        by_value.setdefault(value, []).append(key)
    if not by_value:
        return "NULL"
    arms = " ".join(f"WHEN zy IN ({words(keys)}) THEN CAST({lit(v)} AS {DEC})"
                    for v, keys in by_value.items())
    return f"(CASE {arms} END)"


def query(plan, src, dst):
    measures = plan["measures"]
    used = sorted({i["measure"] for lv in plan["levels"] for c in lv["criteria"]
                   for i in c["indicators"]} | {o["measure"] for o in plan["overrides"]})
    provinces = " ".join(f"WHEN {lit(p)} THEN {lit(z)}" for p, z in plan["provinces"].items())
    overrides = " ".join(f"WHEN {q('m_' + o['measure'])} THEN {lit(o['zone'])}"
                         for o in plan["overrides"])
    cols = ",\n  ".join(f"{typed(m, measures[m])} AS {q('m_' + m)}" for m in used)
    ind_cols, crit_cols, level_cols = [], [], []
    for li, lv in enumerate(plan["levels"]):
        crits = []
        for ci, c in enumerate(lv["criteria"]):
            names = []
            for ii, i in enumerate(c["indicators"]):
                v = q("m_" + i["measure"])
                test = {"yes": v, "none": f"({v} = 0)"}.get(i["op"])
                if test is None:
                    test = f"({v} {i['op']} {threshold(i['thresholds'])})"
                name = f"i_{li}_{ci}_{ii}"
                ind_cols.append(f"{test} AS {name}")
                names.append(name)
            met = " + ".join(f"coalesce({n}, FALSE)::INT" for n in names)
            crit_cols.append(f"({met}) >= {c['need']} AS c_{li}_{ci}")
            crits.append(f"c_{li}_{ci}")
        ids = [x["id"] for x in plan["levels"]]
        req = lv["requires"]
        cond = " AND ".join(crits + ([f"l_{ids.index(req)}"] if req else []))
        level_cols.append((f"l_{li}", cond))
    # A level's reached flag refers to its required level's, so each gets its own layer.
    layers = "c"
    levels_sql = ""
    for n, (name, cond) in enumerate(level_cols):
        levels_sql += f",\nl{n} AS (SELECT *, {cond} AS {name} FROM {layers})"
        layers = f"l{n}"
    level = " ".join(f"WHEN {name} THEN {lit(plan['levels'][li]['id'])}"
                     for li, (name, _) in reversed(list(enumerate(level_cols))))
    return f"""COPY (
WITH src AS (
  SELECT * FROM read_csv({lit(src)}, header = true, all_varchar = true, auto_detect = true)
),
typed AS (
  SELECT code, name, province, TRY_CAST(year AS INT) AS year,
  {cols}
  FROM src
),
zoned AS (
  SELECT *, CASE {overrides} ELSE CASE province {provinces} END END AS zone
  FROM typed
),
i AS (SELECT *, zone || ':' || year AS zy FROM zoned),
j AS (SELECT *, {", ".join(ind_cols)} FROM i),
c AS (SELECT *, {", ".join(crit_cols)} FROM j){levels_sql}
SELECT row_number() OVER () AS row, code, name, province, zone, year,
  CASE {level} ELSE '' END AS level
FROM {layers}
) TO {lit(dst)} (HEADER, DELIMITER ',')"""


def main():
    plan_path, src, dst = sys.argv[1:4]
    with open(plan_path, encoding="utf-8") as f:
        plan = json.load(f)
    sql = query(plan, src, dst)
    if "--sql" in sys.argv:
        print(sql)
        return
    import duckdb

    # Rows are written in the order they were read.
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    con.execute(sql)


if __name__ == "__main__":
    main()

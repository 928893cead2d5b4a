#!/usr/bin/env python3
"""Regenerate the filled threshold sheets of the `rules import` golden cases
(tests/cmd/rules-import-*.in/nguong.csv) from the current `ntm rules sheet` output.

A sheet is bound to its ruleset's SHA-256 and reference cells, so the fixtures must be
regenerated when examples/ruleset.toml or the sheet layout changes:

    cargo build && python3 scripts/make-sheet-fixtures.py
    TRYCMD=overwrite cargo test --test integration cli   # then review the diff
"""
import copy, csv, io, os, shutil, subprocess

raw = subprocess.run(
    ["target/debug/ntm", "rules", "sheet", "examples/ruleset.toml", "--region", "RRD", "--format", "csv"],
    check=True, capture_output=True).stdout.decode("utf-8-sig")
first, rest = raw.split("\r\n", 1)
rows = list(csv.reader(io.StringIO(rest)))
hdr, data = rows[0], rows[1:]

def find(level, ind, frm=""):
    for i, r in enumerate(data):
        if r[0] == level and r[3] == ind and r[9] == frm:
            return i
    raise KeyError((level, ind, frm))

def write(name, first_line, data_rows):
    d = f"tests/cmd/{name}.in"
    os.makedirs(d, exist_ok=True)
    shutil.copy("examples/ruleset.toml", f"{d}/ruleset.toml")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(hdr)
    w.writerows(data_rows)
    with open(f"{d}/nguong.csv", "w", encoding="utf-8", newline="") as f:
        f.write("\ufeff" + first_line + "\r\n" + out.getvalue())

def filled(changes):
    dd = copy.deepcopy(data)
    for key, vals in changes.items():
        i = find(*key)
        for col, v in vals.items():
            dd[i][col] = v
    return dd

# Columns: 11 official value, 12 decision, 13 annex, 14 item, 15 page (report/sheet.rs).
SRC = {12: "QĐ 99/2022/QĐ-UBND", 13: "I", 14: "3.1", 15: "4"}
ok = filled({
    ("standard", "3.1"): {11: "85", **SRC},
    ("standard", "15.3"): {11: "15,5", 12: "QĐ 99/2022/QĐ-UBND", 13: "I", 14: "15.3", 15: "7"},
    ("standard", "10", "2025"): {11: "72", 12: "QĐ 99/2022/QĐ-UBND", 13: "I", 14: "10", 15: "5"},
    # A yes/no row: the entry confirms the requirement.
    ("standard", "1.1"): {11: "Đạt", 12: "QĐ 99/2022/QĐ-UBND", 13: "I", 14: "1.1", 15: "2"},
})
write("rules-import-csv", first, ok)
write("rules-import-no-source", first, filled({("standard", "3.1"): {11: "85"}}))
write("rules-import-wrong-kind", first, filled({
    ("standard", "3.1"): {11: "Đạt", **SRC},
    ("model", "3"): {11: "1.5", **SRC},
    ("standard", "1.1"): {11: "1", **SRC},
}))
# A sheet made from another version of the ruleset: its SHA-256 differs.
sha = first.split("sha256=")[1][:64]
write("rules-import-other-ruleset", first.replace(sha, "0" * 64), ok)
edited = filled({("standard", "3.1"): {11: "85", **SRC}})
edited[find("standard", "3.1")][10] = "75"
write("rules-import-edited-reference", first, edited)
write("rules-import-laxer", first, filled({("standard", "3.1"): {11: "75", **SRC}}))

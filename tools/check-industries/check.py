#!/usr/bin/env python3
"""Checks data/industries/gbt4754-2017.csv (GB/T 4754-2017, all four levels).

    python3 tools/check-industries/check.py [CSV]

The file is a transcription (see data/industries/SOURCE.md); this script is what keeps it
honest: the shape of every code, every parent, the order of the rows, the counts of each level,
the sections' division ranges, and a sample of codes and names.
It exits non-zero and says why on the first problem. Python's standard library only.
"""

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
CSV = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data/industries/gbt4754-2017.csv"

# Which divisions each section holds: fixed by the structure of the 2017 edition.
SPANS = dict(A=(1, 5), B=(6, 12), C=(13, 43), D=(44, 46), E=(47, 50), F=(51, 52),
             G=(53, 60), H=(61, 62), I=(63, 65), J=(66, 69), K=(70, 70), L=(71, 72),
             M=(73, 75), N=(76, 79), O=(80, 82), P=(83, 83), Q=(84, 85), R=(86, 90),
             S=(91, 96), T=(97, 97))

# Summaries of the standard give 20 / 97 / 473 / 1,380; the public copies of its table, and
# this file, list 1,381 classes (SOURCE.md says more).
COUNTS = dict(section=20, division=97, group=473, **{"class": 1381})

# Codes and names compared by hand with several public copies of the standard's table.
SAMPLE = {
    "C": "制造业",
    "39": "计算机、通信和其他电子设备制造业",
    "391": "计算机制造",
    "3911": "计算机整机制造",
    "3912": "计算机零部件制造",
    "3913": "计算机外围设备制造",
    "3914": "工业控制计算机及系统制造",
    "3915": "信息安全设备制造",
    "3919": "其他计算机制造",
    "0111": "稻谷种植",
    "019": "其他农业",
    "0190": "其他农业",
    "1200": "其他采矿业",
    "2653": "合成纤维单（聚合）体制造",
    "3491": "工业机器人制造",
    "3612": "新能源车整车制造",
    "3973": "集成电路制造",
    "6520": "集成电路设计",
    "7520": "知识产权服务",
    "9700": "国际组织",
}


def fail(msg):
    print(f"check-industries: {msg}", file=sys.stderr)
    sys.exit(1)


def level_of(code):
    if len(code) == 1 and code in SPANS:
        return "section"
    if code.isdigit() and len(code) in (2, 3, 4):
        return {2: "division", 3: "group", 4: "class"}[len(code)]
    return None


def main():
    with open(CSV, encoding="utf-8", newline="") as f:
        text = f.read()
    if "\r" in text or not text.endswith("\n"):
        fail("LF line endings and a final newline expected")
    rows = list(csv.DictReader(text.splitlines()))
    if list(rows[0].keys()) != ["code", "name", "level", "parent"]:
        fail(f"header {list(rows[0].keys())}")
    seen, section = {}, None
    for i, r in enumerate(rows, start=2):
        code, name, level, parent = r["code"], r["name"], r["level"], r["parent"]
        if code in seen:
            fail(f"line {i}: {code} twice")
        if level_of(code) != level:
            fail(f"line {i}: {code} listed as {level}")
        if not name or name.strip() != name or any(c in name for c in ',"'):
            fail(f"line {i}: name {name!r}")
        if any(c in name for c in "()"):
            fail(f"line {i}: {code} has ASCII brackets; the standard prints （）")
        if level == "section":
            want = ""
            section = code
        elif level == "division":
            want = section
            lo, hi = SPANS[section]
            if not lo <= int(code) <= hi:
                fail(f"line {i}: division {code} is not in section {section}")
        else:
            want = code[:-1] if level == "class" else code[:2]
        if parent != want:
            fail(f"line {i}: {code} has parent {parent!r}, expected {want!r}")
        if parent and parent not in seen:
            fail(f"line {i}: {code} comes before its parent {parent}")
        seen[code] = r
    counts = {k: sum(1 for r in rows if r["level"] == k) for k in COUNTS}
    if counts != COUNTS:
        fail(f"counts {counts}, expected {COUNTS}")
    for level, kids in (("division", "group"), ("group", "class")):
        for r in rows:
            if r["level"] == level and not any(
                    k["parent"] == r["code"] and k["level"] == kids for k in rows):
                fail(f"{level} {r['code']} has no {kids}")
    for code, name in SAMPLE.items():
        got = seen.get(code, {}).get("name")
        if got != name:
            fail(f"{code}: {got!r}, the standard says {name!r}")
    print(f"{CSV.name}: " + ", ".join(f"{k} {n}" for k, n in counts.items()) + "; ok")


if __name__ == "__main__":
    main()

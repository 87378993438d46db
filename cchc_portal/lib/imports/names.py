"""One set of rules for matching unit and agency names typed in spreadsheets.

A name becomes a key: NFC/NFD and case do not matter, diacritics and zero-width
characters are dropped, punctuation is a space, and common abbreviations are spelt
out ("UBND" → "uy ban nhan dan", "VP" → "van phong", "STP" → "so tu phap"). Besides
the full key, a "core" key without the kind prefix ("Sở", "Ủy ban nhân dân", "Xã",
"Phường", "Thị trấn", "Đặc khu", "Tỉnh", "Thành phố") and without the province's name
is indexed, so "Tư pháp" finds "Sở Tư pháp" and "UBND xã Ia Grai" finds "Xã Ia Grai".
A full key wins over a core key; among several candidates a current one wins over a
former one. `NameIndex` holds the keys of one set of candidates; the provinces
managers build it from their rows (with former names and successors).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

from cchc_portal.lib.text import fold

from .cells import ZERO_WIDTH

# Token → spelt out. Only whole tokens are expanded.
ABBREVIATIONS = {
    "vp": "van phong",
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "bql": "ban quan ly",
    "kkt": "khu kinh te",
    "pvhcc": "phuc vu hanh chinh cong",
    "ttpvhcc": "trung tam phuc vu hanh chinh cong",
    "bch": "bo chi huy",
    "qs": "quan su",
    "bchqs": "bo chi huy quan su",
    "gd": "giao duc",
    "gddt": "giao duc va dao tao",
    "dt": "dao tao",
    "kh": "khoa hoc",
    "khcn": "khoa hoc va cong nghe",
    "cn": "cong nghe",
    "nn": "nong nghiep",
    "mt": "moi truong",
    "nnmt": "nong nghiep va moi truong",
    "tc": "tai chinh",
    "tp": "thanh pho",
    "tx": "thi xa",
}
# Whole names written as an acronym in plans and exports.
ACRONYMS = {
    "stp": "so tu phap",
    "snv": "so noi vu",
    "stc": "so tai chinh",
    "syt": "so y te",
    "sct": "so cong thuong",
    "sxd": "so xay dung",
    "sgddt": "so giao duc va dao tao",
    "skhcn": "so khoa hoc va cong nghe",
    "snnmt": "so nong nghiep va moi truong",
    "svhttdl": "so van hoa the thao va du lich",
    "sdt": "so dan toc va ton giao",
    "sgtvt": "so giao thong van tai",
    "stttt": "so thong tin va truyen thong",
    "skhdt": "so ke hoach va dau tu",
    "stnmt": "so tai nguyen va moi truong",
    "snnptnt": "so nong nghiep va phat trien nong thon",
    "sldtbxh": "so lao dong thuong binh va xa hoi",
    "vpubnd": "van phong uy ban nhan dan",
}
AGENCY_PREFIXES = ("uy ban nhan dan ", "so ")
UNIT_PREFIXES = ("thanh pho ", "tinh ", "xa ", "phuong ", "thi tran ", "dac khu ", "thi xa ", "quan ", "huyen ")
# Bodies named collectively ("UBND cấp xã", "các sở, ngành liên quan"): kept as text, never matched to one agency.
COLLECTIVE = re.compile(
    r"\b(cac so|cac co quan|lien quan|cac don vi|cac xa|cac phuong|cac dia phuong|cac nganh|cac hoi|doan the|"
    r"cac to chuc|cac ban|cac cap|cap xa|cap huyen|cap tinh|xa phuong|phuong xa|xa phuong dac khu|toan tinh|"
    r"cac huyen|cac thi xa|cac thanh pho)\b"
)


def name_key(text: str) -> str:
    """The full key of a name: folded, abbreviations spelt out."""
    text = ZERO_WIDTH.sub("", text or "")
    key = fold(text)
    if key in ACRONYMS:
        return ACRONYMS[key]
    tokens = key.split()
    if tokens and tokens[0] in ACRONYMS and len(tokens) > 1:
        tokens[0] = ACRONYMS[tokens[0]]
    return " ".join(ABBREVIATIONS.get(token, token) for token in tokens)


def strip_prefix(key: str, prefixes: Iterable[str]) -> str:
    for prefix in prefixes:
        if key.startswith(prefix) and len(key) > len(prefix) + 1:
            return key[len(prefix) :]
    return key


def unit_core(key: str) -> str:
    """A unit's key without "Xã", "Phường", "Tỉnh"... ("xa ia grai" → "ia grai")."""
    return strip_prefix(strip_prefix(key, ("uy ban nhan dan ",)), UNIT_PREFIXES)


def agency_core(key: str, province_words: str = "") -> str:
    """An agency's key without "Sở"/"UBND" and without the province's name or "tỉnh" at the end."""
    core = key
    if province_words:
        for suffix in (f" tinh {province_words}", f" thanh pho {province_words}", f" {province_words}"):
            if core.endswith(suffix) and len(core) > len(suffix) + 2:
                core = core[: -len(suffix)]
                break
    if core.endswith((" tinh", " thanh pho")) and core not in ("uy ban nhan dan tinh", "uy ban nhan dan thanh pho"):
        core = core.rsplit(" tinh", 1)[0] if core.endswith(" tinh") else core[: -len(" thanh pho")]
    return strip_prefix(core, AGENCY_PREFIXES)


def is_collective(text: str) -> bool:
    """A collective name ("UBND cấp xã", "UBND các xã, phường", "các sở, ngành liên quan")."""
    return bool(COLLECTIVE.search(name_key(text)))


@dataclass
class NameIndex:
    """Full and core keys of a set of candidates (anything hashable: ids, objects)."""

    core: Callable[[str], str] = unit_core
    exact: dict[str, list] = field(default_factory=dict)
    loose: dict[str, list] = field(default_factory=dict)
    labels: dict[Hashable, str] = field(default_factory=dict)

    def add(self, item: Hashable, names: Iterable[str], label: str | None = None) -> None:
        for name in names:
            if not name or not name.strip():
                continue
            key = name_key(name)
            if not key:
                continue
            self.labels.setdefault(item, label or name)
            bucket = self.exact.setdefault(key, [])
            if item not in bucket:
                bucket.append(item)
            core = self.core(key)
            if core and core != key:
                bucket = self.loose.setdefault(core, [])
                if item not in bucket:
                    bucket.append(item)

    def keys_of(self, text: str) -> list[str]:
        key = name_key(text)
        return [k for k in dict.fromkeys([key, self.core(key)]) if k]

    def lookup(self, text: str) -> list:
        """Candidates for `text`: by full key, else by core key; [] when none."""
        key = name_key(text)
        if not key:
            return []
        found = self.exact.get(key)
        if found:
            return list(found)
        core = self.core(key)
        return list(self.exact.get(core) or self.loose.get(core) or self.loose.get(key) or [])

    def suggest(self, text: str, n: int = 3, allow: Callable[[Hashable], bool] | None = None) -> list:
        """Up to `n` candidates whose core key is close to that of `text`, best first."""
        wanted = self.core(name_key(text))
        pool: dict[str, list] = {}
        for index in (self.exact, self.loose):
            for key, items in index.items():
                kept = [item for item in items if allow is None or allow(item)]
                if kept:
                    pool.setdefault(self.core(key), []).extend(kept)
        found: list = []
        for key in difflib.get_close_matches(wanted, list(pool), n=n * 3, cutoff=0.6):
            for item in pool[key]:
                if item not in found:
                    found.append(item)
        return found[:n]

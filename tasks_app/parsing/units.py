"""Unit names: splitting raw unit lists, guessing kinds, and the unit registry.

Pure Python (no Django). A division document writes its units after a label
("牵头单位:市发展改革委", "(责任部门:商务局、住建局)"); ``split_units`` turns that raw text into
clean names, and ``UnitRegistry.resolve`` maps each name to the canonical unit of the document's
jurisdiction using exact names, registered aliases and a few deterministic prefix rules. There is no
fuzzy matching on purpose: a wrong merge of two departments is worse than an unknown name a reviewer
can fix.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .deadlines import half_width

DEPARTMENT = "department"
COUNTY_GOVERNMENT = "county_government"
PARK_COMMITTEE = "park_committee"
ENTERPRISE = "enterprise"
CENTRAL_AGENCY = "central_agency"
LEADING_GROUP = "leading_group"
GROUP = "group"
UNIT_KINDS = (
    DEPARTMENT,
    COUNTY_GOVERNMENT,
    PARK_COMMITTEE,
    ENTERPRISE,
    CENTRAL_AGENCY,
    LEADING_GROUP,
    GROUP,
)

JURISDICTION_LEVELS = ("province", "city", "district", "county")

_SEPARATORS = frozenset("\u3001,\uff0c;\uff1b/\n\r")  # 、 , , ; ; / newline
# Characters that never end a unit name: sentence ends, list separators, colons, quotes.
_EDGE_PUNCT = "\u3002.\uff0e;\uff1b,\uff0c\u3001:\uff1a!\uff01?\uff1f\u201c\u201d\"'\u2018\u2019"
_AND_OTHERS = re.compile(r"等(?:(?:有关|相关|其他)?(?:单位|部门))?$")
# "和/及/与" joins two units only when the left part is a complete unit name and the right part starts
# like one; "市人力资源和社会保障局" and "市政府和社会资本合作…" therefore stay whole.
_JOINERS = "和及与"
_UNIT_END = re.compile(r"(?:局|委|办|厅|部|院|会|中心|政府|集团|公司|所|站|队|社|联|处|室|署|行|组|单位)$")
_UNIT_START = ("市", "区", "县", "省", "镇", "乡", "各", "有关", "相关")
_SELF_PREFIXES = "省市区县旗"


_OPEN = "\uff08"  # full-width parentheses are the canonical spelling inside unit names
_CLOSE = "\uff09"


def _fullwidth_parentheses(text: str) -> str:
    return text.replace("(", _OPEN).replace(")", _CLOSE)


def spelling_key(text: str) -> str:
    """One form for comparing spellings: half-width punctuation, full-width parentheses (same length)."""
    return _fullwidth_parentheses(half_width(text))


class SpellingIndex:
    """Recovers how a unit name was written in the document (BRIEF: keep raw names as written).

    Parsers see normalised text and ``split_units`` returns full-width parentheses; the office wants to
    see "各县(市、区)人民政府" exactly as its document wrote it. Both normalisations keep the length, so
    the name's position in the normalised line is its position in the original line.
    """

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self._keys: dict[int, str] = {}

    def _key(self, number: int) -> str:
        if number not in self._keys:
            self._keys[number] = spelling_key(self._lines[number - 1])
        return self._keys[number]

    def as_written(self, names: list[str], source_lines: tuple[int, int]) -> list[str]:
        first, last = source_lines
        spelled = []
        for name in names:
            key = spelling_key(name)
            found = name
            for number in range(max(first, 1), min(last, len(self._lines)) + 1):
                index = self._key(number).find(key)
                if index >= 0:
                    found = self._lines[number - 1][index : index + len(key)]
                    break
            spelled.append(found)
        return spelled


def clean_unit_name(name: str) -> str:
    """A raw name trimmed for display, keeping its own spelling (parentheses as written)."""
    normalized = normalize_unit_name(name)
    key = spelling_key(name)
    index = key.find(normalized) if normalized else -1
    return name[index : index + len(normalized)] if index >= 0 else normalized


def unit_key(name: str) -> str:
    """What two spellings of one name share: "各县(市、区)人民政府" and "各县（市、区）人民政府" are one unit."""
    return normalize_unit_name(name)


class RegistryError(ValueError):
    """The unit registry data is inconsistent (unknown kind, alias collision, missing jurisdiction…)."""


def normalize_unit_name(name: str) -> str:
    """Canonical spelling of one unit name: no whitespace, full-width parentheses, no edge punctuation."""
    text = _fullwidth_parentheses(name)
    text = re.sub(r"\s+", "", text)
    previous = None
    while text != previous:
        previous = text
        text = text.strip(_EDGE_PUNCT)
        # An unbalanced bracket at an edge is debris from the surrounding sentence, not part of the name.
        if text.endswith(_CLOSE) and text.count(_CLOSE) > text.count(_OPEN):
            text = text[:-1]
        if text.startswith(_OPEN) and text.count(_OPEN) > text.count(_CLOSE):
            text = text[1:]
    return text


def _split_top_level(text: str) -> list[str]:
    """Split at separators outside parentheses; a run of 2+ spaces or an ideographic space also separates."""
    parts: list[str] = []
    buf: list[str] = []
    depth = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == _OPEN:
            depth += 1
        elif ch == _CLOSE:
            depth = max(0, depth - 1)
        if depth == 0 and ch in _SEPARATORS:
            parts.append("".join(buf))
            buf = []
        elif depth == 0 and (ch == "\u3000" or text.startswith("  ", i)):
            parts.append("".join(buf))
            buf = []
            while i + 1 < len(text) and text[i + 1] in " \u3000":
                i += 1
        else:
            buf.append(ch)
        i += 1
    parts.append("".join(buf))
    return parts


def _split_joined(part: str) -> list[str]:
    """Split "市发改委和市财政局" at a joiner that sits between two complete unit names."""
    depth = 0
    for i, ch in enumerate(part):
        if ch == _OPEN:
            depth += 1
        elif ch == _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and ch in _JOINERS and 0 < i < len(part) - 1:
            left, right = part[:i], part[i + 1 :]
            if _UNIT_END.search(left) and right.startswith(_UNIT_START):
                return [left, *_split_joined(right)]
    return [part]


def split_units(raw: str) -> tuple[list[str], bool]:
    """Split a raw unit list into cleaned names and an "and others" (…等) flag.

    >>> split_units("市工信委、市交通局、市农委等")
    (['市工信委', '市交通局', '市农委'], True)
    """
    text = _fullwidth_parentheses(raw)
    names: list[str] = []
    and_others = False
    for part in _split_top_level(text):
        for piece in _split_joined(normalize_unit_name(part)):
            name = normalize_unit_name(piece)
            while _AND_OTHERS.search(name):
                and_others = True
                name = normalize_unit_name(_AND_OTHERS.sub("", name))
            if name and name not in names:
                names.append(name)
    return names, and_others


_GROUP = re.compile(r"^(?:各|有关|相关)|各|成员单位$|(?:有关|相关)(?:部门|单位)$|直属单位$|派出机构$")
_LEADING_GROUP = re.compile(r"领导小组|工作小组|专项小组|专项组|指挥部|联席会议")
_COORDINATION_COMMITTEE = re.compile(r"委员会$")
_COORDINATION_WORDS = re.compile(r"领导|协调|安全|综合治理|综治")
_CENTRAL = re.compile(
    r"海关|税务|国税|地税|通信管理|气象|银保监|银监|保监|证监|人民银行|人行|外汇管理|海事|边检|边防检查"
    r"|检验检疫|邮政管理|调查队|烟草|消防救援"
)
_ENTERPRISE = re.compile(r"集团|公司|港务|银行|电厂|供电|有限")
_PARK = re.compile(
    r"管委会|管理委员会|园区|开发区|经开区|高新区|产业基地|新区|产业区|工业园|示范区|保税区|自贸区|化工区|经济区"
)
_COUNTY_GOVERNMENT = re.compile(r".[县市区旗](?:人民)?政府$|[乡镇](?:人民)?政府$|街道|办事处$")


def guess_unit_kind(name: str) -> str:
    """Best guess of a unit's kind from its name alone, for names the registry does not know."""
    name = normalize_unit_name(name)
    if _GROUP.search(name):
        return GROUP
    if _LEADING_GROUP.search(name):
        return LEADING_GROUP
    if _CENTRAL.search(name):
        return CENTRAL_AGENCY
    if _ENTERPRISE.search(name):
        return ENTERPRISE
    if _PARK.search(name):
        return PARK_COMMITTEE
    if _COORDINATION_COMMITTEE.search(name) and _COORDINATION_WORDS.search(name):
        return LEADING_GROUP
    if _COUNTY_GOVERNMENT.search(name):
        return COUNTY_GOVERNMENT
    return DEPARTMENT


@dataclass(frozen=True)
class Resolution:
    """Outcome of resolving one raw unit name in a document's jurisdiction.

    ``rule`` says how the name was found, for reviewers: "name", "alias", "prefix", "parenthesis",
    "parent:<rule>" (a unit of an enclosing jurisdiction), "common" (a city the registry does not list, whose
    name is a short form the registry's cities share: ``name`` is then the common canonical form, still unknown)
    or "unknown".
    """

    name: str
    known: bool
    kind: str
    jurisdiction: str
    rule: str = "name"


@dataclass(frozen=True)
class Jurisdiction:
    name: str
    parent: str | None
    level: str

    @property
    def self_prefix(self) -> str:
        """How the jurisdiction's own documents abbreviate it: "市" for 营口市, "区" for 站前区."""
        last = self.name[-1:]
        return last if last in _SELF_PREFIXES else ""


class UnitRegistry:
    """Canonical units per jurisdiction with aliases; built from the data in fixtures/units.json."""

    def __init__(self, jurisdictions: dict[str, Jurisdiction], units: list[dict[str, Any]]) -> None:
        self._jurisdictions = jurisdictions
        self._units = units
        self._index: dict[str, dict[str, int]] = {name: {} for name in jurisdictions}
        for position, unit in enumerate(units):
            index = self._index[unit["jurisdiction"]]
            for key in (unit["name"], *unit["aliases"]):
                index[key] = position
        self._common = _common_city_forms(jurisdictions, units)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UnitRegistry:
        jurisdictions: dict[str, Jurisdiction] = {}
        for entry in data.get("jurisdictions", []):
            name = entry["name"]
            if name in jurisdictions:
                raise RegistryError(f"jurisdiction {name} is listed twice")
            if entry.get("level") not in JURISDICTION_LEVELS:
                raise RegistryError(f"jurisdiction {name}: unknown level {entry.get('level')!r}")
            jurisdictions[name] = Jurisdiction(name, entry.get("parent"), entry["level"])
        for jurisdiction in jurisdictions.values():
            if jurisdiction.parent is not None and jurisdiction.parent not in jurisdictions:
                raise RegistryError(f"jurisdiction {jurisdiction.name}: unknown parent {jurisdiction.parent}")

        units: list[dict[str, Any]] = []
        taken: dict[tuple[str, str], str] = {}
        for entry in data.get("units", []):
            unit = _clean_unit(entry, jurisdictions)
            for key in (unit["name"], *unit["aliases"]):
                owner = taken.get((unit["jurisdiction"], key))
                if owner is not None:
                    raise RegistryError(f"{unit['jurisdiction']}: {key} names both {owner} and {unit['name']}")
                taken[(unit["jurisdiction"], key)] = unit["name"]
            units.append(unit)
        return cls(jurisdictions, units)

    @classmethod
    def load(cls, path: str | Path) -> UnitRegistry:
        with open(path, encoding="utf-8") as handle:
            return cls.from_dict(json.load(handle))

    # -- queries -----------------------------------------------------------------------------------

    def jurisdiction(self, name: str) -> Jurisdiction | None:
        return self._jurisdictions.get(name)

    def jurisdictions(self) -> list[Jurisdiction]:
        return list(self._jurisdictions.values())

    def units_for(self, jurisdiction: str) -> list[dict[str, Any]]:
        """Registry entries of one jurisdiction (copies), in file order."""
        return [copy.deepcopy(unit) for unit in self._units if unit["jurisdiction"] == jurisdiction]

    def entry(self, name: str, jurisdiction: str) -> dict[str, Any] | None:
        """The registry entry (a copy) of a canonical name, or None."""
        position = self._index.get(jurisdiction, {}).get(name)
        return copy.deepcopy(self._units[position]) if position is not None else None

    def members(self, name: str, jurisdiction: str) -> list[str]:
        """Member units of a group unit, [] when the registry lists none."""
        resolution = self.resolve(name, jurisdiction)
        if not resolution.known:
            return []
        position = self._index[resolution.jurisdiction][resolution.name]
        return list(self._units[position]["members"])

    def resolve(self, raw: str, jurisdiction: str) -> Resolution:
        """Canonical unit for ``raw`` written in a document of ``jurisdiction``; never a fuzzy match."""
        name = normalize_unit_name(raw)
        if not name:
            raise ValueError("empty unit name")
        found = self._resolve_in(name, jurisdiction)
        if found is not None:
            return found
        current = self._jurisdictions.get(jurisdiction)
        while current is not None and current.parent is not None:
            parent = self._jurisdictions[current.parent]
            # A district document writing "市发改委" means the city's unit; a name without the
            # parent's prefix stays local so two levels' departments are never confused.
            if _addresses(name, parent, current):
                found = self._resolve_in(name, parent.name)
                if found is not None:
                    rule = f"parent:{found.rule}"
                    return Resolution(found.name, True, found.kind, found.jurisdiction, rule)
            current = parent
        place = self._jurisdictions.get(jurisdiction)
        common = self._common.get(name) if place is None or place.self_prefix == "市" else None
        if common is not None:
            # A city the registry does not list yet writes 市发改委 and 市发展改革委: one unit, named as the
            # registry's cities name it (still a new unit of this city, for the office to confirm).
            return Resolution(common, False, guess_unit_kind(common), jurisdiction, "common")
        return Resolution(name, False, guess_unit_kind(name), jurisdiction, "unknown")

    # -- internals ---------------------------------------------------------------------------------

    def _lookup(self, key: str, jurisdiction: str, rule: str) -> Resolution | None:
        position = self._index.get(jurisdiction, {}).get(key)
        if position is None:
            return None
        unit = self._units[position]
        if rule == "name" and key != unit["name"]:
            rule = "alias"
        return Resolution(unit["name"], True, unit["kind"], jurisdiction, rule)

    def _resolve_in(self, name: str, jurisdiction: str) -> Resolution | None:
        found = self._lookup(name, jurisdiction, "name")
        if found is not None:
            return found
        place = self._jurisdictions.get(jurisdiction)
        if place is None:
            return None
        for variant in _prefix_variants(name, place):
            found = self._lookup(variant, jurisdiction, "prefix")
            if found is not None:
                return found
        head = _parenthesis_head(name)
        if head:
            for variant in (head, *_prefix_variants(head, place)):
                found = self._lookup(variant, jurisdiction, "parenthesis")
                if found is not None:
                    return found
        return None


def _clean_unit(entry: dict[str, Any], jurisdictions: dict[str, Jurisdiction]) -> dict[str, Any]:
    name = normalize_unit_name(entry.get("name", ""))
    if not name:
        raise RegistryError(f"unit without a name: {entry!r}")
    jurisdiction = entry.get("jurisdiction")
    if jurisdiction not in jurisdictions:
        raise RegistryError(f"unit {name}: unknown jurisdiction {jurisdiction!r}")
    kind = entry.get("kind")
    if kind not in UNIT_KINDS:
        raise RegistryError(f"unit {name}: unknown kind {kind!r}")
    aliases: list[str] = []
    for alias in entry.get("aliases", []):
        alias = normalize_unit_name(alias)
        if alias and alias != name and alias not in aliases:
            aliases.append(alias)
    members = [normalize_unit_name(member) for member in entry.get("members", [])]
    return {
        "name": name,
        "jurisdiction": jurisdiction,
        "kind": kind,
        "aliases": aliases,
        "members": [member for member in members if member],
    }


def _common_city_forms(jurisdictions: dict[str, Jurisdiction], units: list[dict[str, Any]]) -> dict[str, str]:
    """ "市…" spellings → the canonical "市…" name, from every city of the registry (the common short forms:
    市发改委 = 市发展和改革委员会 = 市发展改革委). A spelling two cities resolve differently is left out."""
    forms: dict[str, str] = {}
    ambiguous: set[str] = set()
    for unit in units:
        place = jurisdictions.get(unit["jurisdiction"])
        name = unit["name"]
        if place is None or place.self_prefix != "市" or not name.startswith("市"):
            continue
        for key in (name, *unit["aliases"]):
            if not key.startswith("市") or len(key) < 3:
                continue
            if forms.setdefault(key, name) != name:
                ambiguous.add(key)
    return {key: name for key, name in forms.items() if key not in ambiguous}


def _prefix_variants(name: str, place: Jurisdiction) -> list[str]:
    """Spellings of ``name`` with the jurisdiction written out, abbreviated or left implicit.

    In 营口市: "营口市财政局" -> "市财政局", "财政局"; "市财政局" -> "财政局", "营口市财政局";
    "财政局" -> "市财政局", "营口市财政局".
    In 站前区: "站前区商务局" -> "区商务局", "商务局"; "区商务局" -> "商务局".
    """
    prefix = place.self_prefix
    if name.startswith(place.name) and len(name) > len(place.name):
        rest = name[len(place.name) :]
        return [prefix + rest, rest] if prefix else [rest]
    if prefix and name.startswith(prefix) and len(name) > len(prefix):
        rest = name[len(prefix) :]
        return [rest, place.name + rest]
    return [prefix + name, place.name + name] if prefix else [place.name + name]


def _parenthesis_head(name: str) -> str:
    """ "市交通局(市机场办)" -> "市交通局"; "" when the name does not end with a parenthesised part."""
    if not name.endswith(_CLOSE):
        return ""
    depth = 0
    for i in range(len(name) - 1, -1, -1):
        if name[i] == _CLOSE:
            depth += 1
        elif name[i] == _OPEN:
            depth -= 1
            if depth == 0:
                return name[:i]
    return ""


def _addresses(name: str, parent: Jurisdiction, child: Jurisdiction) -> bool:
    """Does a name written in ``child``'s document explicitly point at ``parent``'s level?"""
    if name.startswith(parent.name):
        return True
    prefix = parent.self_prefix
    return bool(prefix) and prefix != child.self_prefix and name.startswith(prefix)

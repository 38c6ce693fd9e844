"""Unit assignments written inside a parenthesised annotation of an item.

Division notices that do not use separate ``牵头单位:`` lines put the units in brackets after the
item, e.g. ``(责任部门:商务局、住建局)``, ``(预期性指标,牵头单位:市发改委;责任单位:市统计局)``,
``(市发改委牵头,市财政局、市人社局配合)`` or ``(市编委办负责)``. This module finds such an
annotation and cuts it per role; splitting a unit list ("A、B等") happens later in enrichment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .types import BINDING, COOPERATING, EXPECTED, LEAD, RESPONSIBLE

OPEN = "(("
CLOSE = "))"

# Labelled form: "牵头单位:..." — the label decides the role.
LABEL_ROLES: dict[str, str] = {
    "牵头单位": LEAD,
    "牵头部门": LEAD,
    "主办单位": LEAD,
    "牵头": LEAD,
    "配合单位": COOPERATING,
    "配合部门": COOPERATING,
    "协办单位": COOPERATING,
    "参与单位": COOPERATING,
    "配合": COOPERATING,
    "责任单位": RESPONSIBLE,
    "责任部门": RESPONSIBLE,
    "责任主体": RESPONSIBLE,
    "负责单位": RESPONSIBLE,
    "实施单位": RESPONSIBLE,
}
LABEL_RE = re.compile("(" + "|".join(sorted(map(re.escape, LABEL_ROLES), key=len, reverse=True)) + r")\s*[::]\s*")

# Unlabelled form: "X牵头" / "X配合" / "X负责"; longest suffix first so "牵头负责" is not read as "负责".
_SUFFIX_ROLES: tuple[tuple[str, str], ...] = (
    ("牵头负责", LEAD),
    ("牵头落实", LEAD),
    ("牵头", LEAD),
    ("配合落实", COOPERATING),
    ("协助配合", COOPERATING),
    ("配合", COOPERATING),
    ("协助", COOPERATING),
    ("参与", COOPERATING),
    ("负责落实", RESPONSIBLE),
    ("负责", RESPONSIBLE),
)
# A "…负责" clause next to a named lead contributes rather than reports.
_CONTRIBUTING_WHEN_LED = (
    "按职责分工负责",
    "按职责负责",
    "分工负责",
    "按职责分工落实",
    "按职能分工负责",
)

_CATEGORY_WORDS: tuple[tuple[str, str], ...] = (
    ("约束性指标", BINDING),
    ("预期性指标", EXPECTED),
    ("约束性", BINDING),
    ("预期性", EXPECTED),
)

_MAX_UNIT_LEN = 80
_TRAILING_PUNCT = "。;;,,.、 \t\u3000"


@dataclass
class InlineUnits:
    text: str  # the item text without the annotation, trimmed
    unit_text: dict[str, list[str]] = field(default_factory=dict)  # role -> raw unit strings
    category: str | None = None  # BINDING / EXPECTED when the annotation says so
    annotation: str = ""  # the parenthesised annotation as written, brackets included


def extract_inline_units(text: str) -> InlineUnits | None:
    """Find the unit annotation of an item; None when the text carries none.

    The last bracket group that reads as an annotation wins, because annotations close the item;
    brackets without a role word ("(PM2.5)", "(市)") are ignored.
    """
    for start, end in reversed(_top_level_groups(text)):
        parsed = parse_annotation(text[start + 1 : end])
        if parsed is None:
            continue
        unit_text, category = parsed
        rest = (text[:start].rstrip() + text[end + 1 :].strip()).strip()
        return InlineUnits(
            text=rest,
            unit_text=unit_text,
            category=category,
            annotation=text[start : end + 1],
        )
    return None


def parse_annotation(inner: str) -> tuple[dict[str, list[str]], str | None] | None:
    """Read the inside of a bracket; returns (role -> raw strings, category) or None without any role."""
    inner = inner.strip()
    if not inner:
        return None
    if LABEL_RE.search(inner):
        result = _parse_labelled(inner)
    else:
        result = _parse_suffixed(inner)
    if result is None or not any(result[0].values()):
        return None
    return result


def split_labelled(line: str) -> list[tuple[str, str]]:
    """(role, raw value) per label in a line such as "牵头单位:市发改委;配合单位:市财政局。".

    Values keep their own punctuation (a trailing 。 is the unit splitter's business); only the
    separator before the next label is dropped.
    """
    matches = list(LABEL_RE.finditer(line))
    pairs: list[tuple[str, str]] = []
    for index, match in enumerate(matches):
        stop = matches[index + 1].start() if index + 1 < len(matches) else len(line)
        value = line[match.end() : stop].strip()
        if index + 1 < len(matches):
            value = re.sub(r"[;;,,\s]+$", "", value)
        pairs.append((LABEL_ROLES[match.group(1)], value))
    return pairs


def _parse_labelled(inner: str) -> tuple[dict[str, list[str]], str | None] | None:
    matches = list(LABEL_RE.finditer(inner))
    category = _category_of(inner[: matches[0].start()])
    unit_text: dict[str, list[str]] = {}
    for index, match in enumerate(matches):
        stop = matches[index + 1].start() if index + 1 < len(matches) else len(inner)
        value = inner[match.end() : stop].strip(_TRAILING_PUNCT)
        # "牵头单位:市发改委,约束性指标" — a category may also follow a unit list.
        for word, cat in _CATEGORY_WORDS:
            if value.endswith(word):
                category = category or cat
                value = value[: -len(word)].strip(_TRAILING_PUNCT)
                break
        if not value:
            continue
        # Labelled lists may be long (20 units), but a full stop inside means prose, not a list.
        if "。" in value:
            return None
        unit_text.setdefault(LABEL_ROLES[match.group(1)], []).append(value)
    return unit_text, category


def _parse_suffixed(inner: str) -> tuple[dict[str, list[str]], str | None] | None:
    category: str | None = None
    clauses: list[tuple[str, str, str]] = []  # (role, units, clause)
    for clause in _split_clauses(inner):
        if not clause:
            continue
        clause_category = _category_of(clause)
        if clause_category and len(clause) <= len("约束性指标"):
            category = category or clause_category
            continue
        parsed = _read_suffixed_clause(clause)
        if parsed is None:
            # Every clause must name units; otherwise this bracket is prose, not an annotation.
            return None
        clauses.extend(parsed)
    has_lead = any(role == LEAD for role, _, _ in clauses)
    unit_text: dict[str, list[str]] = {}
    for role, units, clause in clauses:
        if role == RESPONSIBLE and has_lead and clause.endswith(_CONTRIBUTING_WHEN_LED):
            role = COOPERATING
        unit_text.setdefault(role, []).append(units)
    return unit_text, category


def _read_suffixed_clause(clause: str) -> list[tuple[str, str, str]] | None:
    body = clause
    for prefix in ("由", "请"):
        body = body.removeprefix(prefix)
    for suffix in _CONTRIBUTING_WHEN_LED:
        if body.endswith(suffix):
            units = body[: -len(suffix)].strip(_TRAILING_PUNCT)
            return [(RESPONSIBLE, units, clause)] if _looks_like_units(units) else None
    for suffix, role in _SUFFIX_ROLES:
        if not body.endswith(suffix):
            continue
        units = body[: -len(suffix)].strip(_TRAILING_PUNCT)
        # "市发改委会同市财政局负责": the first names the lead, the others cooperate.
        if "会同" in units and role in (LEAD, RESPONSIBLE):
            lead, _, others = units.partition("会同")
            if _looks_like_units(lead) and _looks_like_units(others):
                return [(LEAD, lead, clause), (COOPERATING, others, clause)]
        return [(role, units, clause)] if _looks_like_units(units) else None
    return None


# Unit names end in one of these (市发改委, 各有关部门, 核翼经开区, 人力资源发展中心, 东兴办事处 …).
_UNIT_MARK_RE = re.compile(r"[委局办厅部院处所室会队站社行司区县市镇乡园组府门位心团]")


def _looks_like_units(units: str) -> bool:
    return (
        bool(units)
        and len(units) <= _MAX_UNIT_LEN
        and "。" not in units
        and not units[0].isdigit()
        and _UNIT_MARK_RE.search(units) is not None
    )


def _category_of(fragment: str) -> str | None:
    for word, cat in _CATEGORY_WORDS:
        if word in fragment:
            return cat
    return None


def _split_clauses(inner: str) -> list[str]:
    """Split on , and ; outside nested brackets ("市交通局(市机场办)" stays whole)."""
    clauses: list[str] = []
    depth = 0
    current: list[str] = []
    for char in inner:
        if char in OPEN:
            depth += 1
        elif char in CLOSE:
            depth = max(depth - 1, 0)
        if depth == 0 and char in ",,;;":
            clauses.append("".join(current).strip(_TRAILING_PUNCT))
            current = []
        else:
            current.append(char)
    clauses.append("".join(current).strip(_TRAILING_PUNCT))
    return clauses


def _top_level_groups(text: str) -> list[tuple[int, int]]:
    """(open index, close index) of each outermost bracket pair; unbalanced brackets are skipped."""
    groups: list[tuple[int, int]] = []
    depth = 0
    start = -1
    for index, char in enumerate(text):
        if char in OPEN:
            if depth == 0:
                start = index
            depth += 1
        elif char in CLOSE and depth > 0:
            depth -= 1
            if depth == 0:
                groups.append((start, index))
    return groups

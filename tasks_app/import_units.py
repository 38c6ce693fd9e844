"""Read: the unit names of a preview the registry does not know, and the existing units to offer for each.

The registry resolves names exactly (tasks_app.parsing.units: names, aliases, prefix rules) and never
guesses. Here, for a person to decide, existing units of the document's jurisdiction and of the
jurisdictions above it are ranked by how alike their names and aliases are to the unknown name once
the jurisdiction prefix is set aside ("市工业和信息化局" ~ "市工业和信息化委员会", an alias of 市工信委),
and by whether one is a short form of the other ("市工信局" ⊂ "市工业和信息化局"). Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from tasks_app.importing import unit_registry
from tasks_app.models import Unit, UnitAlias
from tasks_app.parsing.units import normalize_unit_name

SUGGESTIONS = 3  # offered per unknown name
MIN_SCORE = 0.5  # below this a unit is not offered as a suggestion (it stays in the full list)


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    jurisdiction: str
    spellings: tuple[str, ...]  # canonical name and every alias


def jurisdiction_chain(name: str) -> list[str]:
    """The document's jurisdiction and those above it, as the registry knows them (营口市 → 辽宁省)."""
    registry = unit_registry()
    chain: list[str] = []
    current = registry.jurisdiction(name) if name else None
    if name:
        chain.append(name)
    while current is not None and current.parent and current.parent not in chain:
        chain.append(current.parent)
        current = registry.jurisdiction(current.parent)
    return chain


def candidates(*, jurisdiction: str) -> list[Candidate]:
    """Existing units a name of this jurisdiction's document may be mapped onto (two queries)."""
    chain = jurisdiction_chain(jurisdiction)
    units = list(Unit.objects.filter(jurisdiction__name__in=chain).select_related("jurisdiction").order_by("name"))
    aliases: dict[int, list[str]] = {}
    for unit_id, alias in UnitAlias.objects.filter(unit__in=units).values_list("unit_id", "name"):
        aliases.setdefault(unit_id, []).append(alias)
    order = {name: position for position, name in enumerate(chain)}
    units.sort(key=lambda u: (order.get(u.jurisdiction.name, 99), u.name))
    return [Candidate(u.pk, u.name, u.jurisdiction.name, (u.name, *aliases.get(u.pk, ()))) for u in units]


def candidate_label(candidate: Candidate, jurisdiction: str) -> str:
    """How a unit is written in the pick list: its name, with its jurisdiction when it is another level's."""
    return candidate.name if candidate.jurisdiction == jurisdiction else f"{candidate.name}({candidate.jurisdiction})"


def candidate_by_label(pool: list[Candidate], label: str, jurisdiction: str) -> Candidate | None:
    """The unit a typed pick-list entry names: its label, or a name or alias of the document's own level."""
    label = label.strip()
    found = next((c for c in pool if candidate_label(c, jurisdiction) == label), None)
    if found is None and label:
        name = normalize_unit_name(label)
        found = next((c for c in pool if c.jurisdiction == jurisdiction and name in c.spellings), None)
    return found


def _core(name: str, prefixes: tuple[str, ...]) -> str:
    """The name without its jurisdiction: "营口市财政局" / "市财政局" → "财政局"."""
    for prefix in prefixes:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :]
    return name


def _is_short_form(short: str, long: str) -> bool:
    """Every character of ``short`` appears in ``long`` in order, and they share the first one (发改委 ⊂ 发展和改革委员会)."""
    if not short or len(short) >= len(long) or short[0] != long[0]:
        return False
    rest = iter(long)
    return all(ch in rest for ch in short)


def name_similarity(unknown: str, spelling: str, prefixes: tuple[str, ...] = ()) -> float:
    """0..1: how alike two unit names are once the jurisdiction prefix is set aside."""
    return _core_similarity(
        _core(normalize_unit_name(unknown), prefixes), _core(normalize_unit_name(spelling), prefixes)
    )


def _core_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    short, long = sorted((a, b), key=len)
    if _is_short_form(short, long):
        return round(max(SequenceMatcher(None, a, b).ratio(), 0.55 + 0.4 * len(short) / len(long)), 3)
    # The ratio is 2·matches / (len a + len b) and matches never exceed the shared characters: skip the
    # matcher when even they cannot reach the threshold (most pairs of a 300-unit directory).
    shared = sum(min(a.count(ch), b.count(ch)) for ch in set(a))
    if 2 * shared / (len(a) + len(b) or 1) < MIN_SCORE:
        return 0.0
    return round(SequenceMatcher(None, a, b).ratio(), 3)


def _prefixes(chain: list[str]) -> tuple[str, ...]:
    registry = unit_registry()
    out: list[str] = []
    for name in chain:
        out.append(name)
        entry = registry.jurisdiction(name)
        if entry is not None and entry.self_prefix:
            out.append(entry.self_prefix)
    return tuple(sorted(set(out), key=len, reverse=True))  # the longest prefix first


def unknown_units(*, preview: dict[str, Any], choices: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Each name the registry does not know, with the existing unit of that name (if any) and suggestions."""
    unknown = [unit for unit in preview.get("units", []) if not unit.get("known")]
    if not unknown:
        return []
    jurisdiction = preview.get("jurisdiction") or ""
    pool = candidates(jurisdiction=jurisdiction)
    prefixes = _prefixes(jurisdiction_chain(jurisdiction))
    cored = [(c, {_core(normalize_unit_name(spelling), prefixes) for spelling in c.spellings}) for c in pool]
    choices = choices or {}
    rows = []
    for unit in unknown:
        written = {normalize_unit_name(raw) for raw in unit.get("aliases_seen", [])} | {unit["name"]}
        same = None
        if unit["name"] not in choices:  # a decision already made is shown as made, not re-derived
            same = next((c for c in pool if c.jurisdiction == jurisdiction and written & set(c.spellings)), None)
        core = _core(unit["name"], prefixes)
        scored = []
        for candidate, cores in cored:
            if same is not None and candidate.id == same.id:
                continue
            score = max(_core_similarity(core, spelling) for spelling in cores)
            if score >= MIN_SCORE:
                scored.append((score, candidate))
        scored.sort(key=lambda pair: (-pair[0], pair[1].name))
        suggestions = [_brief(c, score) for score, c in scored[:SUGGESTIONS]]
        choice = choices.get(unit["name"], same.id if same else "new")
        offered = {s["id"] for s in suggestions} | ({same.id} if same else set())
        # A unit picked from the full list (not among those offered) is shown as the choice it was.
        chosen = next((c for c in pool if c.id == choice and c.id not in offered), None)
        rows.append(
            {
                "name": unit["name"],
                "aliases_seen": unit.get("aliases_seen", []),
                "existing": _brief(same, 1.0) if same else None,
                "suggestions": suggestions,
                "chosen": _brief(chosen, 0.0) if chosen else None,
                "choice": choice,
            }
        )
    return rows


def _brief(candidate: Candidate, score: float) -> dict[str, Any]:
    return {"id": candidate.id, "name": candidate.name, "jurisdiction": candidate.jurisdiction, "score": score}

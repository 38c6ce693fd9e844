"""Combination weights chosen by cross-validation on the training side only.

Pure Python, no Django. The suggester adds up several sources (text neighbours, heading neighbours, unit
centroids, function words, a prior); how much each should count depends on the documents the office holds
(a district plan's headings say little, a city notice's chapters often share their lead units). So the
weights are chosen on a small grid by leave-one-out over the *training* examples: each training item is
suggested with itself held out, and a coordinate ascent from the hand-set weights moves one weight at a
time when that wins a margin more lead top-1 + top-3 hits; then the cooperating weights are chosen the
same way for cooperating recall@5. The sources are computed once per item (``Parts``) and re-weighed.

No leakage: ``held_out`` positions (the items being evaluated) are excluded from every inner suggestion
(they neither vote nor count in centroids or priors) and are never scored, so their labels cannot steer
the weights. A transfer target is never among the examples at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from .concepts import key_base
from .suggester import DivisionSuggester, Parts, SuggesterSettings, parts_combine

# The hand-set values first: on a tie the earlier grid point wins, so weights move only when it pays.
LEAD_GRID: dict[str, tuple[float, ...]] = {
    "heading_weight": (0.0, 0.25, 0.5, 0.75),
    "centroid_weight": (0.0, 0.5, 1.0),
    "heading_words_weight": (0.0, 0.2, 0.4),
    "lexicon_weight": (0.35, 0.2, 0.5),
}
COOPERATING_GRID: dict[str, tuple[float, ...]] = {
    "cooperating_lexicon_weight": (0.15, 0.3, 0.45),
    "lead_as_cooperating": (0.3, 0.15, 0.6),
    "cooperating_centroid_weight": (0.0, 0.5, 1.0),
}
TUNED = (*LEAD_GRID, *COOPERATING_GRID)
MARGIN = 0.01
MIN_GAIN = 2.0
PASSES = 2


def _home(key: str) -> str | None:
    return key_base(key=key)


def _ranked(scores: dict[str, float], name_of: Callable[[str], str | None] = _home) -> list[str]:
    """Units by score, named by ``name_of``: by default in the training plan's own terms, where a
    multi-function unit's function keys (教文旅局·旅游, 教文旅局·教育) are the one unit the plan wrote."""
    merged: dict[str, float] = {}
    for key, score in scores.items():
        unit = name_of(key)
        if unit is not None:
            merged[unit] = merged.get(unit, 0.0) + score
    return [unit for unit, _ in sorted(merged.items(), key=lambda pair: (-pair[1], pair[0]))]


def _units(keys: Iterable[str], name_of: Callable[[str], str | None]) -> set[str]:
    return {name for key in keys if (name := name_of(key)) is not None}


def _lead_score(
    rows: Sequence[tuple[Parts, set[str], set[str]]], settings: SuggesterSettings, name_of: Callable[[str], str | None]
) -> float:
    hits = 0.0
    for parts, lead, _ in rows:
        ranked = _ranked(parts_combine(parts=parts, settings=settings)[0], name_of)[:3]
        hits += float(bool(ranked) and ranked[0] in lead) + float(bool(lead & set(ranked)))
    return hits


def _cooperating_score(
    rows: Sequence[tuple[Parts, set[str], set[str]]], settings: SuggesterSettings, name_of: Callable[[str], str | None]
) -> float:
    found = 0
    for parts, lead, cooperating in rows:
        lead_scores, coop_scores = parts_combine(parts=parts, settings=settings)
        top = _ranked(lead_scores, name_of)[:1]
        proposed = [unit for unit in _ranked(coop_scores, name_of) if unit not in top][:5]
        found += len((cooperating - lead) & set(proposed))
    return found


def settings_tune(
    *,
    suggester: DivisionSuggester,
    positions: Iterable[int],
    held_out: Sequence[int] = (),
    base: SuggesterSettings | None = None,
    name_of: Callable[[str], str | None] = _home,
) -> SuggesterSettings:
    """The grid point with the best leave-one-out figures over the training ``positions`` (minus
    ``held_out``), every inner suggestion made without the item itself and without ``held_out``.

    ``name_of`` names the units the way the suggestions will be read: the target jurisdiction's mapping
    (keys landing on one unit add up, as they do for the office) — by default the training plan's own
    units. A weighting is then chosen for the figures the office sees, not for the raw keys."""
    base = base or suggester.settings
    excluded = set(held_out)
    rows = [
        (
            suggester.parts(text=example.text, context=example.context, exclude=(position, *held_out), settings=base),
            _units(example.lead, name_of),
            _units(example.cooperating, name_of),
        )
        for position in positions
        if position not in excluded
        for example in (suggester.examples[position],)
    ]
    if not rows:
        return base
    # A grid point must beat the hand-set weights by ``margin`` hits (MARGIN of the items, at least
    # MIN_GAIN): on a few dozen items a one-hit difference is noise, not a better weighting.
    margin = max(MIN_GAIN, MARGIN * len(rows))
    best = _best(base, LEAD_GRID, lambda settings: _lead_score(rows, settings, name_of), margin)
    return _best(best, COOPERATING_GRID, lambda settings: _cooperating_score(rows, settings, name_of), margin)


def _best(
    start: SuggesterSettings,
    grid: dict[str, tuple[float, ...]],
    score_of: Callable[[SuggesterSettings], float],
    margin: float,
) -> SuggesterSettings:
    """Coordinate ascent over ``grid`` (two passes, one weight at a time): a move is taken only if it wins
    ``margin`` more hits than the current weights."""
    best, best_score = start, score_of(start)
    for _ in range(PASSES):
        moved = False
        for name, values in grid.items():
            for value in values:
                if value == getattr(best, name):
                    continue
                changes: dict[str, Any] = {name: value}
                candidate = replace(best, **changes)
                score = score_of(candidate)
                if score >= best_score + margin:
                    best, best_score, moved = candidate, score, True
        if not moved:
            break
    return best


def tuned_weights(settings: SuggesterSettings) -> dict[str, float]:
    """The tuned weights of ``settings``, for the report."""
    return {name: getattr(settings, name) for name in TUNED}

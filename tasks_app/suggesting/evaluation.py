"""Honest figures for the suggester: leave-one-out and train-on-one-plan, test-on-another.

Pure Python, no Django. A test item counts as a lead hit at k when any of its gold lead units
(lead units, or where none its responsible units: the reporting units) is among the first k
suggestions. Cooperating recall@5 is micro-averaged over the gold cooperating units of the items
that have any: of all units the document names as cooperating, the share found among the first five
cooperating suggestions. The held-out item never votes for itself, and its units are taken out of
the frequency prior (its text still counts in the idf table, which uses no labels).

Bounds say what a figure can mean: for the cooperating list the ceiling (five suggestions cannot find
more than five of an item's units: the sum of min(5, |gold|) over the sum of |gold|) and the share of
gold cooperating units that any training example the item may learn from names at all (as lead or
cooperating); for the lead the share of items with a gold unit that leads such an example. The function
words can still propose the units no example names.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field

from .suggester import DivisionSuggester, SuggesterSettings, Suggestion, TrainingExample, UnitMap
from .tuning import settings_tune, tuned_weights


@dataclass(frozen=True)
class Miss:
    item_id: int | str
    plan: str
    text: str
    gold: tuple[str, ...]
    suggested: tuple[str, ...]
    gold_rank: int | None  # 1-based rank of the best-placed gold unit among the suggestions, None: absent


@dataclass
class EvaluationResult:
    name: str
    items: int = 0
    top1: int = 0
    top3: int = 0
    cooperating_gold: int = 0
    cooperating_found: int = 0
    cooperating_reachable: int = 0  # min(5, |gold|) summed: the most five suggestions per item can find
    cooperating_in_training: int = 0  # gold cooperating units some training example the item learns from names
    lead_in_training: int = 0  # items with a gold lead unit that leads some training example they learn from
    proposals: int = 0  # units proposed (first five lead and five cooperating per item)
    invalid_proposals: int = 0  # of them, units not valid on the plan's date
    seconds: float = 0.0
    misses: list[Miss] = field(default_factory=list)
    weights: list[dict[str, float]] = field(default_factory=list)  # the tuned weights (one per outer fold)

    @property
    def top1_accuracy(self) -> float:
        return self.top1 / self.items if self.items else 0.0

    @property
    def top3_accuracy(self) -> float:
        return self.top3 / self.items if self.items else 0.0

    @property
    def cooperating_recall(self) -> float | None:
        return self.cooperating_found / self.cooperating_gold if self.cooperating_gold else None

    def as_dict(self, *, misses: int = 10) -> dict:
        recall = self.cooperating_recall
        return {
            "name": self.name,
            "items": self.items,
            "lead_top1": round(self.top1_accuracy, 3),
            "lead_top3": round(self.top3_accuracy, 3),
            "lead_gold_in_training": _share(self.lead_in_training, self.items),
            "cooperating_recall_at5": None if recall is None else round(recall, 3),
            "cooperating_gold": self.cooperating_gold,
            "cooperating_ceiling_at5": _share(self.cooperating_reachable, self.cooperating_gold),
            "cooperating_gold_in_training": _share(self.cooperating_in_training, self.cooperating_gold),
            "proposals": self.proposals,
            "invalid_date_share": round(self.invalid_proposals / self.proposals, 4) if self.proposals else 0.0,
            "seconds": round(self.seconds, 3),
            "weights": self.weights,
            "worst_misses": [
                {
                    "item_id": miss.item_id,
                    "plan": miss.plan,
                    "text": miss.text[:80],
                    "gold": list(miss.gold),
                    "suggested": list(miss.suggested),
                    "gold_rank": miss.gold_rank,
                }
                for miss in self.worst_misses(limit=misses)
            ],
        }

    def worst_misses(self, *, limit: int) -> list[Miss]:
        """Top-3 misses, the gold unit furthest down (absent last) first."""
        return sorted(self.misses, key=lambda m: (-(m.gold_rank or 99), str(m.item_id)))[:limit]


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def suggestion_score(
    *,
    result: EvaluationResult,
    example: TrainingExample,
    suggestion: Suggestion,
    gold_lead: Sequence[str],
    gold_cooperating: Sequence[str],
    invalid: Callable[[str], bool] | None = None,
    learnt: Collection[str] = (),
    learnt_leads: Collection[str] = (),
) -> None:
    """Add one test item's outcome to ``result``; ``invalid`` says whether a proposed unit is not valid on
    the plan's date; ``learnt`` holds the units the training examples this item may learn from name,
    ``learnt_leads`` those that lead one of them."""
    ranked = [score.unit for score in suggestion.lead]
    gold = set(gold_lead)
    ranks = [position + 1 for position, unit in enumerate(ranked) if unit in gold]
    rank = min(ranks) if ranks else None
    result.items += 1
    result.top1 += rank == 1
    result.top3 += rank is not None and rank <= 3
    result.lead_in_training += bool(gold & set(learnt_leads))
    if rank is None or rank > 3:
        result.misses.append(
            Miss(example.item_id, example.plan, example.text, tuple(gold_lead), tuple(ranked[:3]), rank)
        )
    coop_gold = set(gold_cooperating) - gold
    found = {score.unit for score in suggestion.cooperating[:5]}
    result.cooperating_gold += len(coop_gold)
    result.cooperating_found += len(coop_gold & found)
    result.cooperating_reachable += min(5, len(coop_gold))
    result.cooperating_in_training += len(coop_gold & set(learnt))
    proposed = [score.unit for score in (*suggestion.lead[:5], *suggestion.cooperating[:5])]
    result.proposals += len(proposed)
    if invalid is not None:
        result.invalid_proposals += sum(1 for unit in proposed if invalid(unit))


def _mapped(units: Sequence[str], mapper: Callable[[str], str | None]) -> list[str]:
    names: list[str] = []
    for unit in units:
        name = mapper(unit)
        if name is not None and name not in names:
            names.append(name)
    return names


def units_named(
    examples: Iterable[TrainingExample], mapper: Callable[[str], str | None], *, leads_only: bool = False
) -> Counter[str]:
    """How many of ``examples`` name each (mapped) unit, as lead or cooperating (``leads_only``: as lead)."""
    counts: Counter[str] = Counter()
    for example in examples:
        counts.update(_mapped(example.lead if leads_only else (*example.lead, *example.cooperating), mapper))
    return counts


def outer_folds(positions: Sequence[int], *, folds: int) -> list[list[int]]:
    """``positions`` dealt into ``folds`` interleaved folds (every ``folds``-th item), so each fold spans
    the whole plan as a single held-out item does."""
    return [list(positions[start::folds]) for start in range(folds) if positions[start::folds]]


def _without(named: Counter[str], own: Sequence[str]) -> set[str]:
    """The units named by the examples other than one that names ``own`` (a held-out item's own units
    count as learnt only where another example names them too)."""
    rest = named.copy()
    rest.subtract(own)
    return {unit for unit, count in rest.items() if count > 0}


def leave_one_out_evaluate(
    *,
    name: str,
    suggester: DivisionSuggester,
    positions: Sequence[int],
    unit_map: Callable[[str], str | None],
    invalid: Callable[[str], bool] | None = None,
    tune: bool = False,
    folds: int = 5,
) -> EvaluationResult:
    """Hold out each example at ``positions`` in turn; gold units pass through the same ``unit_map``.

    With ``tune`` the weights are chosen by ``tuning.settings_tune`` without the items they are evaluated
    on: the positions are dealt into ``folds`` outer folds; for each fold the weights come from
    leave-one-out over the other positions with the whole fold held out of every inner suggestion, then
    each item of the fold is suggested (itself held out) with those weights."""
    result = EvaluationResult(name)
    started = time.perf_counter()
    plan: list[tuple[int, SuggesterSettings]] = []
    if tune:
        for fold in outer_folds(list(positions), folds=folds):
            chosen = settings_tune(suggester=suggester, positions=positions, held_out=fold, name_of=unit_map)
            result.weights.append(tuned_weights(chosen))
            plan.extend((position, chosen) for position in fold)
    else:
        plan = [(position, suggester.settings) for position in positions]
    named = units_named(suggester.examples, unit_map)
    leading = units_named(suggester.examples, unit_map, leads_only=True)
    for position, settings in plan:
        example = suggester.examples[position]
        suggestion = suggester.suggest(
            text=example.text, context=example.context, unit_map=unit_map, exclude=(position,), settings=settings
        )
        suggestion_score(
            result=result,
            example=example,
            suggestion=suggestion,
            gold_lead=_mapped(example.lead, unit_map),
            gold_cooperating=_mapped(example.cooperating, unit_map),
            invalid=invalid,
            learnt=_without(named, _mapped((*example.lead, *example.cooperating), unit_map)),
            learnt_leads=_without(leading, _mapped(example.lead, unit_map)),
        )
    result.seconds = time.perf_counter() - started
    return result


def transfer_evaluate(
    *,
    name: str,
    suggester: DivisionSuggester,
    tests: Sequence[TrainingExample],
    unit_map: UnitMap,
    gold_map: Callable[[str], str | None],
    invalid: Callable[[str], bool] | None = None,
    tune: bool = False,
) -> EvaluationResult:
    """Suggest for ``tests`` (never in the suggester's examples); gold passes through ``gold_map``. With
    ``tune`` the weights come from leave-one-out over the training examples only (``settings_tune``): the
    target's labels are read for scoring, never for choosing."""
    result = EvaluationResult(name)
    started = time.perf_counter()
    settings = suggester.settings
    mapper = unit_map if callable(unit_map) else lambda unit: unit_map.get(unit, unit)
    if tune:  # scored in the target's names, as the figures are: keys landing on one unit add up
        settings = settings_tune(suggester=suggester, positions=range(len(suggester.examples)), name_of=mapper)
        result.weights.append(tuned_weights(settings))
    learnt = set(units_named(suggester.examples, mapper))
    learnt_leads = set(units_named(suggester.examples, mapper, leads_only=True))
    for example in tests:
        suggestion = suggester.suggest(text=example.text, context=example.context, unit_map=unit_map, settings=settings)
        suggestion_score(
            result=result,
            example=example,
            suggestion=suggestion,
            gold_lead=_mapped(example.lead, gold_map),
            gold_cooperating=_mapped(example.cooperating, gold_map),
            invalid=invalid,
            learnt=learnt,
            learnt_leads=learnt_leads,
        )
    result.seconds = time.perf_counter() - started
    return result

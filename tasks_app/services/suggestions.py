"""Division assistant, Django side: divided items → training examples, suggestions → the plan's units.

The algorithm lives in ``tasks_app.suggesting`` and never sees the database. This module
1. loads every divided item as a ``TrainingExample`` whose units are *concept keys*
   (``concepts.concept_key``: 市科技局 and 站前区's 科技局 both become 科技局). Units that only make
   sense in their own jurisdiction (a named county government, a park committee, an enterprise, a
   named leading group) keep a local key ``name@jurisdiction`` and are suggested only there;
2. maps keys onto the units of the target plan's jurisdiction, in this order: same key (name or
   alias) → a unit doing the same function (市卫计委 → 卫健局, 市教育局 → 教文旅局) → a *proposed*
   unit spelled the way that level writes it (市发展改革委 for a city, 发改局 for a district), which
   ``proposed_units_create`` can add to the registry with ``needs_review``;
3. builds one suggester per target jurisdiction, with the function words of each unit.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Prefetch

from tasks_app.models import Assignment, Jurisdiction, Plan, Unit, WorkItem
from tasks_app.parsing.units import guess_unit_kind
from tasks_app.rules.reporting import reporting_role
from tasks_app.services.suggestion_dates import ValidNames, plan_date
from tasks_app.suggesting.concepts import (
    concept_key,
    function_key_for,
    function_words,
    functions_of,
    key_base,
    level_prefix,
    lower_governments_name,
)
from tasks_app.suggesting.suggester import (
    DivisionSuggester,
    SuggesterSettings,
    Suggestion,
    TrainingExample,
)
from tasks_app.suggesting.tuning import settings_tune

TRANSFERABLE_KINDS = (Unit.Kind.DEPARTMENT, Unit.Kind.CENTRAL_AGENCY)
_GROUP_WORDS = ("领导小组", "委员会", "成员单位", "指挥部")


def unit_key_make(*, unit: Unit) -> str:
    """The key the suggester learns for ``unit``: its concept key, or ``name@jurisdiction`` if local."""
    transferable = unit.kind in TRANSFERABLE_KINDS or (
        unit.kind == Unit.Kind.GROUP
        and unit.name.startswith(("各", "相关", "有关"))
        and not any(word in unit.name for word in _GROUP_WORDS)
    )
    if transferable:
        return concept_key(name=unit.name, jurisdiction=unit.jurisdiction.name)
    return f"{unit.name}@{unit.jurisdiction.name}"


def item_text_make(*, item: WorkItem) -> str:
    """What the suggester reads: the item's title and text. Section headings mixed into the text did not
    help (docs/division-assistant.md, ablation); they are matched on their own (``item_context_make``)."""
    return item.text if item.title and item.title in item.text else f"{item.title}。{item.text}"


def item_context_make(*, item: WorkItem) -> str:
    """The headings the item stands under, outermost first (章 → 节 → 1.…): the suggester matches them
    against the training items' headings, apart from the text (a chapter's units are often shared)."""
    titles: list[str] = []
    section = item.section
    while section is not None and len(titles) < 4:
        titles.append(section.title)
        section = section.parent
    return "。".join(reversed(titles))


def _items_query():
    return WorkItem.objects.filter(is_active=True).select_related(
        "plan__jurisdiction", "section__parent__parent__parent"
    )


def training_examples_load(*, plan_ids: Iterable[int] | None = None) -> list[TrainingExample]:
    """Every divided item (one with a lead or responsible unit) as a training example, in plan order."""
    assignments = Assignment.objects.select_related("unit__jurisdiction").order_by("role", "order")
    items = _items_query().filter(assignments__isnull=False).distinct()
    if plan_ids is not None:
        items = items.filter(plan_id__in=list(plan_ids))
    items = items.prefetch_related(Prefetch("assignments", queryset=assignments)).order_by("plan_id", "order")
    examples: list[TrainingExample] = []
    for item in items:
        by_role: dict[str, list[str]] = {role: [] for role in Assignment.Role.values}
        # the division as the document made it: a successor's row is learnt through the mapping to the
        # plan's date instead (what 市卫计委 did counts for 市卫生健康委 there)
        written = [a for a in item.assignments.all() if a.origin != Assignment.Origin.SUCCESSION]
        for assignment in written:
            key = unit_key_make(unit=assignment.unit)
            if key not in by_role[assignment.role]:
                by_role[assignment.role].append(key)
        # the reporting units are the example's lead (rules.reporting); everyone else named contributes
        role = reporting_role((a.unit_id, a.role) for a in written)
        lead = by_role[role]
        if not lead:
            continue
        cooperating: list[str] = []
        for other in (Assignment.Role.COOPERATING, Assignment.Role.RESPONSIBLE):
            if other != role:
                cooperating += [key for key in by_role[other] if key not in lead + cooperating]
        text, context = item_text_make(item=item), item_context_make(item=item)
        read = f"{context}\n{text}"  # what a multi-function unit did here: the words of its headings and text
        examples.append(
            TrainingExample(
                item_id=item.id,
                plan=str(item.plan_id),
                text=text,
                lead=tuple(function_key_for(key=key, text=read) for key in lead),
                cooperating=tuple(function_key_for(key=key, text=read) for key in cooperating),
                jurisdiction=item.plan.jurisdiction.name,
                context=context,
            )
        )
    return examples


@dataclass
class TargetUnits:
    """How keys land on the units of one jurisdiction."""

    jurisdiction: Jurisdiction
    mapping: dict[str, str | None]
    existing: set[str]

    def __call__(self, key: str) -> str | None:
        return self.mapping.get(key)


def _unit_order(unit: Unit, labels: tuple[str, ...]) -> tuple[int, int, int]:
    return (len(labels), unit.kind != Unit.Kind.DEPARTMENT, len(unit.name))


def target_units_build(
    *,
    jurisdiction: Jurisdiction,
    keys: Iterable[str],
    examples: Sequence[TrainingExample],
    valid: ValidNames | None = None,
) -> TargetUnits:
    """Map every key onto a unit name of ``jurisdiction`` (existing or proposed); local keys elsewhere → None.
    With ``valid``, a name not valid on the plan's date becomes the unit carrying its duties then."""
    place = jurisdiction.name
    units = list(Unit.objects.filter(jurisdiction=jurisdiction).prefetch_related("aliases"))
    exact: dict[str, str] = {}
    by_function: dict[str, list[tuple[tuple[int, int, int], str]]] = {}
    for unit in units:
        names = [unit.name, *(alias.name for alias in unit.aliases.all())]
        unit_keys = {concept_key(name=name, jurisdiction=place) for name in names}
        labels = tuple(sorted({label for key in unit_keys for label in functions_of(key=key)}))
        for key in unit_keys:
            exact.setdefault(key, unit.name)
        for label in labels:
            by_function.setdefault(label, []).append((_unit_order(unit, labels), unit.name))
    levels = _levels()
    spelled = _spellings(examples=examples, levels=levels, level=jurisdiction.level)
    mapping: dict[str, str | None] = {}
    for key in keys:
        if "@" in key:
            name, home = key.rsplit("@", 1)
            mapping[key] = name if home == place else None
            continue
        base = key_base(key=key)
        if base in exact:  # the unit itself (a function key at home is its multi-function unit again)
            mapping[key] = exact[base]
            continue
        labels = functions_of(key=key)
        candidates = sorted(candidate for label in labels for candidate in by_function.get(label, ()))
        if candidates:
            mapping[key] = candidates[0][1]
        elif "下级政府" in labels:
            mapping[key] = lower_governments_name(level=jurisdiction.level)
        else:
            if base != key:  # no unit of that one function here: spelled as the whole unit would be
                labels = functions_of(key=base)
            spelling = spelled.get(labels, base) if labels else base
            prefix = "" if spelling.startswith(("各", "有关", "相关")) else level_prefix(level=jurisdiction.level)
            mapping[key] = prefix + spelling
    if valid is not None:
        for key, mapped in mapping.items():
            now = valid.current(mapped) if mapped else mapped
            if now and now != mapped:  # an existing unit of that name or alias, else the successor's spelling
                mapping[key] = exact.get(concept_key(name=now, jurisdiction=place), now)
    return TargetUnits(jurisdiction, mapping, {unit.name for unit in units})


def _levels() -> dict[str, str]:
    return dict(Jurisdiction.objects.values_list("name", "level"))


def _spellings(*, examples: Sequence[TrainingExample], levels: dict[str, str], level: str) -> dict[tuple, str]:
    """For each function set, the key most used at ``level`` (else overall): 发改局 for districts."""
    counts: Counter[tuple[str, bool]] = Counter()
    for example in examples:
        same = levels.get(example.jurisdiction) == level
        for key in (*example.lead, *example.cooperating):
            if "@" not in key:
                counts[(key_base(key=key), same)] += 1
    best: dict[tuple, tuple[int, int, str]] = {}
    for (key, same), count in counts.items():
        labels = functions_of(key=key)
        if not labels:
            continue
        rank = (count if same else 0, count, key)
        if labels not in best or rank > best[labels]:
            best[labels] = rank
    return {labels: rank[2] for labels, rank in best.items()}


def suggester_build(
    *,
    jurisdiction: Jurisdiction,
    examples: Sequence[TrainingExample],
    settings: SuggesterSettings | None = None,
    valid: ValidNames | None = None,
) -> tuple[DivisionSuggester, TargetUnits]:
    """A suggester for items of ``jurisdiction``: every key seen, plus the jurisdiction's own units, named
    as they are on the plan's date when ``valid`` is given."""
    keys: list[str] = []
    for example in examples:
        keys.extend(key for key in (*example.lead, *example.cooperating) if key not in keys)
    own = Unit.objects.filter(jurisdiction=jurisdiction).select_related("jurisdiction")
    keys.extend(key for key in (unit_key_make(unit=unit) for unit in own) if key not in keys)
    target = target_units_build(jurisdiction=jurisdiction, keys=keys, examples=examples, valid=valid)
    # Function words once per target unit, so a unit reached by several keys is not counted twice.
    words: dict[str, tuple[str, ...]] = {}
    taken: set[str] = set()
    for key in keys:
        name = target(key)
        if name is None or name in taken or "@" in key:
            continue
        taken.add(name)
        labels = set(functions_of(key=key)) | set(functions_of(key=concept_key(name=name, jurisdiction="")))
        words[key] = function_words(labels=labels)
    suggester = DivisionSuggester(examples=examples, unit_words=words, settings=settings)
    return suggester, target


def suggestion_payload(*, item: WorkItem, suggestion: Suggestion, target: TargetUnits) -> dict[str, Any]:
    def units(scores) -> list[dict[str, Any]]:
        return [
            {
                "unit": score.unit,
                "score": score.score,
                "known": score.unit in target.existing,
                "because_of": list(score.neighbours[:5]),
                "words": list(score.words),
            }
            for score in scores
        ]

    return {
        "item_id": item.id,
        "title": item.title,
        "lead": units(suggestion.lead),
        "cooperating": units(suggestion.cooperating),
        "neighbours": [
            {"item_id": n.item_id, "plan": int(n.plan), "similarity": n.similarity, "text": n.text[:120]}
            for n in suggestion.neighbours
        ],
        "matched_terms": suggestion.matched_terms,
    }


_TUNED: dict[str, SuggesterSettings] = {}


def suggester_tune(*, suggester: DivisionSuggester, target: TargetUnits) -> SuggesterSettings:
    """The combination weights for ``suggester``, chosen by leave-one-out over its training examples
    (``suggesting.tuning``) scored in ``target``'s unit names, and remembered per process for the same
    examples, function words and mapping: the first request after a division changes pays ~3 s, the next
    ones nothing."""
    digest = hashlib.sha256()
    for example in suggester.examples:
        digest.update(
            repr((example.item_id, example.text, example.context, example.lead, example.cooperating)).encode()
        )
    digest.update(repr(sorted(suggester.unit_words.items())).encode())
    digest.update(repr(sorted(target.mapping.items(), key=lambda pair: pair[0])).encode())
    key = digest.hexdigest()
    if key not in _TUNED:
        if len(_TUNED) > 32:
            _TUNED.clear()
        _TUNED[key] = settings_tune(suggester=suggester, positions=range(len(suggester.examples)), name_of=target)
    return _TUNED[key]


def plan_suggestions_build(*, plan: Plan, limit: int | None = None, tune: bool = True) -> dict[str, Any]:
    """Suggestions for every active item of ``plan``; an item never learns from itself. Writes nothing.
    With ``tune`` the weights are chosen on all divided items (``suggester_tune``)."""
    examples = training_examples_load()
    valid = ValidNames.load(jurisdiction=plan.jurisdiction, on=plan_date(plan))
    suggester, target = suggester_build(jurisdiction=plan.jurisdiction, examples=examples, valid=valid)
    if tune:
        suggester.settings = suggester_tune(suggester=suggester, target=target)
    positions = {example.item_id: position for position, example in enumerate(examples)}
    items = _items_query().filter(plan=plan).order_by("order")
    if limit is not None:
        items = items[:limit]
    rows = []
    for item in items:
        own = positions.get(item.id)
        suggestion = suggester.suggest(
            text=item_text_make(item=item),
            context=item_context_make(item=item),
            unit_map=target,
            exclude=() if own is None else (own,),
        )
        rows.append(suggestion_payload(item=item, suggestion=suggestion, target=target))
    return {"plan_id": plan.id, "jurisdiction": plan.jurisdiction.name, "items": rows}


@transaction.atomic
def proposed_units_create(*, plan: Plan, names: Iterable[str]) -> list[Unit]:
    """Add suggested units missing from the plan's jurisdiction as ``needs_review`` units; returns new ones."""
    created: list[Unit] = []
    for name in dict.fromkeys(names):
        unit, made = Unit.objects.get_or_create(
            jurisdiction=plan.jurisdiction,
            name=name,
            defaults={"kind": guess_unit_kind(name), "needs_review": True},
        )
        if made:
            created.append(unit)
    return created


def plan_by_file(*, prefix: str) -> Plan:
    """The plan imported from the seed file whose name starts with ``prefix`` ("002", "000"…)."""
    return Plan.objects.select_related("jurisdiction").get(source__file_name__startswith=prefix)

"""The measured figures of docs/division-assistant.md (``evaluate_suggester``): every direction, dated.

Directions: leave-one-out on 002 (营口市 2016) and 000 (站前区 2021), each trained on its own plan and on all
divided plans; 002 → 000 and 000 → 002 (one level teaches the other); 002 → 004 on the hand-labelled
sample of 60 葫芦岛 (2021) items in tests/suggesting/labels_004.json. Every direction proposes names valid on
the test plan's date (``suggestion_dates.ValidNames``) and reports the share of proposals that are not.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.conf import settings as django_settings

from tasks_app.models import Plan, WorkItem
from tasks_app.services.suggestion_dates import ValidNames, plan_date
from tasks_app.services.suggestions import (
    item_context_make,
    item_text_make,
    plan_by_file,
    plan_suggestions_build,
    suggester_build,
    target_units_build,
    training_examples_load,
)
from tasks_app.suggesting.evaluation import EvaluationResult, leave_one_out_evaluate, transfer_evaluate
from tasks_app.suggesting.suggester import SuggesterSettings, TrainingExample

LABELS_004 = Path(django_settings.BASE_DIR) / "tests" / "suggesting" / "labels_004.json"


def _valid(plan: Plan) -> ValidNames:
    return ValidNames.load(jurisdiction=plan.jurisdiction, on=plan_date(plan))


def labelled_examples(*, path: Path = LABELS_004) -> tuple[Plan, list[TrainingExample]]:
    """The hand-labelled items as test examples: text from the database, lead units from the file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    plan = plan_by_file(prefix=data["plan_file"][:3])
    items = {
        (item.order, item.title): item
        for item in WorkItem.objects.filter(plan=plan, is_active=True).select_related("section__parent__parent__parent")
    }
    examples = []
    for row in data["items"]:
        item = items.get((row["order"], row["title"]))
        if item is None:
            raise ValueError(f"labelled item {row['order']} {row['title']} is not in plan {plan.pk}")
        text = item_text_make(item=item)
        examples.append(
            TrainingExample(
                item.pk,
                str(plan.pk),
                text,
                tuple(row["lead"]),
                tuple(row.get("cooperating", ())),
                context=item_context_make(item=item),
            )
        )
    return plan, examples


def suggester_evaluate(
    *,
    city: str = "002",
    district: str = "000",
    timed: str | None = "004",
    labels: Path | None = LABELS_004,
    settings: SuggesterSettings | None = None,
    dated: bool = True,
    tune: bool = True,
) -> dict[str, Any]:
    """``dated=False`` proposes names as learnt (the assistant before successions), still counting the
    proposals not valid on the plan's date, for the before/after table. ``tune`` chooses the combination
    weights by cross-validation on each direction's training side (``suggesting.tuning``); ``tune=False``
    keeps ``settings`` as given."""
    city_plan, district_plan = plan_by_file(prefix=city), plan_by_file(prefix=district)
    everything = training_examples_load()
    by_plan = {
        plan.id: [example for example in everything if example.plan == str(plan.id)]
        for plan in (city_plan, district_plan)
    }
    results: list[EvaluationResult] = []
    for plan, trained_on, label in (
        (city_plan, by_plan[city_plan.id], "its own plan"),
        (district_plan, by_plan[district_plan.id], "its own plan"),
        (city_plan, everything, "all divided plans"),
        (district_plan, everything, "all divided plans"),
    ):
        valid = _valid(plan)
        suggester, target = suggester_build(
            jurisdiction=plan.jurisdiction, examples=trained_on, settings=settings, valid=valid if dated else None
        )
        positions = [i for i, example in enumerate(trained_on) if example.plan == str(plan.id)]
        results.append(
            leave_one_out_evaluate(
                name=f"loo {plan.id} ({plan.jurisdiction.name}), trained on {label}",
                suggester=suggester,
                positions=positions,
                unit_map=target,
                invalid=valid.invalid,
                tune=tune,
            )
        )
    for source, test in ((city_plan, district_plan), (district_plan, city_plan)):
        valid = _valid(test)
        suggester, target = suggester_build(
            jurisdiction=test.jurisdiction,
            examples=by_plan[source.id],
            settings=settings,
            valid=valid if dated else None,
        )
        gold = target_units_build(
            jurisdiction=test.jurisdiction,
            keys={key for example in by_plan[test.id] for key in (*example.lead, *example.cooperating)},
            examples=by_plan[test.id],
            valid=valid,
        )
        results.append(
            transfer_evaluate(
                name=f"{source.id} ({source.jurisdiction.name}) → {test.id} ({test.jurisdiction.name})",
                suggester=suggester,
                tests=by_plan[test.id],
                unit_map=target,
                gold_map=gold,
                invalid=valid.invalid,
                tune=tune,
            )
        )
    if labels is not None and labels.exists():
        test_plan, tests = labelled_examples(path=labels)
        valid = _valid(test_plan)
        suggester, target = suggester_build(
            jurisdiction=test_plan.jurisdiction,
            examples=by_plan[city_plan.id],
            settings=settings,
            valid=valid if dated else None,
        )
        results.append(
            transfer_evaluate(
                name=f"{city_plan.id} ({city_plan.jurisdiction.name}) → {test_plan.id} "
                f"({test_plan.jurisdiction.name}, {len(tests)} hand-labelled)",
                suggester=suggester,
                tests=tests,
                unit_map=target,
                gold_map=lambda name: name,
                invalid=valid.invalid,
                tune=tune,
            )
        )
    report: dict[str, Any] = {"results": [result.as_dict() for result in results], "timing": None}
    if timed:
        timed_plan = plan_by_file(prefix=timed)
        started = time.perf_counter()
        payload = plan_suggestions_build(plan=timed_plan)
        seconds = time.perf_counter() - started
        valid = _valid(timed_plan)
        proposed = [u["unit"] for row in payload["items"] for u in (*row["lead"], *row["cooperating"])]
        report["timing"] = {
            "plan_id": timed_plan.id,
            "items": len(payload["items"]),
            "seconds": round(seconds, 3),
            "plan_date": plan_date(timed_plan).isoformat(),
            "proposals": len(proposed),
            "invalid_date_proposals": sum(1 for name in proposed if valid.invalid(name)),
        }
    return report

"""python manage.py evaluate_suggester [--json]: the figures of docs/division-assistant.md, reproduced."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from tasks_app.services.suggestion_evaluation import suggester_evaluate


class Command(BaseCommand):
    help = (
        "评估分工建议:留一法、跨层级迁移(002→000、000→002、002→004 人工标注样本)的牵头准确率、配合召回率与失效单位占比"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--misses", type=int, default=5, help="每项评估列出的最差未命中数")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, misses: int, json: bool, **options) -> None:
        report = suggester_evaluate()
        for result in report["results"]:
            result["worst_misses"] = result["worst_misses"][:misses]
        if json:
            self.stdout.write(_dumps(report))
            return
        # ceil: the best recall five suggestions per item allow; seen: share of gold units the training names
        self.stdout.write(
            f"{'evaluation':58} {'items':>5} {'top1':>6} {'top3':>6} {'seen':>6} "
            f"{'coop@5':>7} {'ceil':>6} {'seen':>6} {'invalid':>7}"
        )
        for result in report["results"]:
            self.stdout.write(
                f"{result['name']:58} {result['items']:>5} {result['lead_top1']:>6.3f} "
                f"{result['lead_top3']:>6.3f} {_figure(result['lead_gold_in_training']):>6} "
                f"{_figure(result['cooperating_recall_at5']):>7} {_figure(result['cooperating_ceiling_at5']):>6} "
                f"{_figure(result['cooperating_gold_in_training']):>6} {result['invalid_date_share']:>7.3f}"
            )
        timing = report["timing"]
        if timing:
            self.stdout.write(
                f"suggest_division plan {timing['plan_id']}: {timing['items']} items, {timing['seconds']:.2f} s, "
                f"{timing['invalid_date_proposals']} of {timing['proposals']} proposals not valid on {timing['plan_date']}"
            )
        for result in report["results"]:
            if not result["worst_misses"]:
                continue
            self.stdout.write(f"\nworst misses · {result['name']}")
            for miss in result["worst_misses"]:
                rank = miss["gold_rank"] or "-"
                self.stdout.write(
                    f"  #{miss['item_id']} gold {'、'.join(miss['gold'])} (rank {rank}) "
                    f"suggested {'、'.join(miss['suggested'])} · {miss['text'][:40]}"
                )


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _dumps(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2)

"""python manage.py suggest_division --plan ID [--limit N] [--json]: proposed division, nothing written."""

from __future__ import annotations

import json
import sys
import time

from django.core.management.base import BaseCommand

from tasks_app.models import Plan
from tasks_app.services.suggestions import plan_suggestions_build


class Command(BaseCommand):
    help = "为规划的每个事项建议牵头单位和配合单位(附相似事项与匹配词),不写入数据库"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--plan", type=int, required=True, help="规划 ID")
        parser.add_argument("--limit", type=int, default=None, help="只显示前 N 个事项")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, plan: int, limit: int | None, json: bool, **options) -> None:
        found = Plan.objects.select_related("jurisdiction").filter(id=plan).first()
        if found is None:
            sys.stderr.write(f"suggest_division: 没有 ID 为 {plan} 的规划\n")
            sys.exit(2)
        started = time.perf_counter()
        payload = plan_suggestions_build(plan=found, limit=limit)
        if json:
            self.stdout.write(_dumps(payload))
            return
        for row in payload["items"]:
            self.stdout.write(f"[{row['item_id']}] {row['title'][:60]}")
            self.stdout.write("  牵头: " + _units(row["lead"][:3]))
            self.stdout.write("  配合: " + _units(row["cooperating"][:5]))
            if row["neighbours"]:
                best = row["neighbours"][0]
                self.stdout.write(
                    f"  依据: 相似事项 #{best['item_id']} (规划 {best['plan']}, 相似度 {best['similarity']:.2f}) "
                    f"{best['text'][:40]}"
                )
            if row["matched_terms"]:
                self.stdout.write("  匹配词: " + "、".join(row["matched_terms"][:8]))
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{found.jurisdiction.name} · {len(payload['items'])} 个事项 · 用时 {elapsed:.2f} 秒")


def _units(scores: list[dict]) -> str:
    if not scores:
        return "(无建议)"
    return "  ".join(f"{s['unit']}{'' if s['known'] else '*'} {s['score']:.2f}" for s in scores)


def _dumps(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2)

"""python manage.py seed_documents [--json]: import every file in fixtures/documents/ (idempotent)."""

from __future__ import annotations

import json
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from tasks_app.models import Unit
from tasks_app.parsing.types import ParseError
from tasks_app.services.documents import ALLOWED_SUFFIXES, document_load_path, document_save


class Command(BaseCommand):
    help = "导入 fixtures/documents/ 下的全部示例文件;重复运行不会重复创建"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, json: bool, **options) -> None:
        started = time.perf_counter()
        rows = []
        paths = sorted(p for p in settings.SEED_DOCUMENTS_DIR.iterdir() if p.suffix.lower() in ALLOWED_SUFFIXES)
        for path in paths:
            try:
                loaded = document_load_path(path=path)
                result = document_save(loaded=loaded)
            except ParseError as exc:
                sys.stderr.write(f"seed_documents: {path.name}: {exc}\n")
                sys.exit(2)
            plan = result.plan
            rows.append(
                {
                    "file": path.name,
                    "plan_id": plan.id,
                    "title": plan.title,
                    "kind": plan.kind,
                    "jurisdiction": plan.jurisdiction.name,
                    **result.counts,
                    "created": result.created,
                }
            )
        payload = {"documents": rows, "departments": Unit.objects.count()}
        if json:
            self.stdout.write(_dumps(payload))
            return
        for row in rows:
            state = "新建" if row["created"] else "无变化"
            self.stdout.write(
                f"{row['file']}  {row['jurisdiction']}  指标 {row['indicators']}  任务 {row['tasks']}  "
                f"分工 {row['assignments']}  [{state}]  {row['title']}"
            )
        elapsed = time.perf_counter() - started
        self.stdout.write(f"单位 {payload['departments']} 个。用时 {elapsed:.2f} 秒。")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)

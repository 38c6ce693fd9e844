"""python manage.py import_document PATH [--dry-run] [--json] (BRIEF §5)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from tasks_app.parsing.types import ParseError
from tasks_app.services.documents import document_load_path, document_preview, document_save


class Command(BaseCommand):
    help = "导入一份规划纲要或分工文件(.txt/.docx/.doc/.pdf/.html/.xlsx/.xls,按内容识别格式)"

    def add_arguments(self, parser) -> None:
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="只预览,不写入数据库")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, path: str, dry_run: bool, json: bool, **options) -> None:
        try:
            loaded = document_load_path(path=Path(path))
            preview = document_preview(loaded=loaded)
            result = None if dry_run else document_save(loaded=loaded)
        except ParseError as exc:
            sys.stderr.write(f"import_document: {path}: {exc}\n")
            sys.exit(2)
        if result is not None:
            preview["plan_id"] = result.plan.id
        if json:
            self.stdout.write(_dumps(preview))
            return
        counts = f"指标 {len(preview['indicators'])} 项,任务 {len(preview['tasks'])} 项,单位 {len(preview['units'])} 个"
        action = "预览(未写入)" if dry_run else f"已导入,plan_id={preview['plan_id']}"
        self.stdout.write(f"{preview['title']}:{counts}。{action}")
        for warning in preview["warnings"]:
            self.stdout.write(f"  警告:{warning}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)

"""python manage.py export_docx --plan ID --report annual|midterm|final [--year Y] -o FILE.

The Word evaluation reports (tasks_app.exporters.evaluation), built by the same ``export_build`` as the
console's export page and the export API.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tasks_app.exporters.evaluation import EVALUATION_EXPORTERS
from tasks_app.models import Plan
from tasks_app.services.exports import ExportError, export_build


class Command(BaseCommand):
    help = "导出 Word 评估报告:annual 年度监测报告、midterm 中期评估报告、final 总结评估报告"

    def add_arguments(self, parser: CommandParser) -> None:
        reports = ";".join(f"{e.identifier}:{e.verbose_name}" for e in EVALUATION_EXPORTERS)
        parser.add_argument("--plan", type=int, required=True, help="规划 ID")
        parser.add_argument(
            "--report", required=True, choices=[e.identifier for e in EVALUATION_EXPORTERS], help=reports
        )
        parser.add_argument(
            "--year",
            type=int,
            help="报告年度(须有该年度的报送周期);留空:年度报告为最近的周期,中期为规划期中间年,总结为期末年",
        )
        parser.add_argument("-o", "--output", required=True, help="输出的 .docx 文件")

    def handle(self, *args: object, plan: int, report: str, year: int | None, output: str, **options: object) -> None:
        found = Plan.objects.filter(pk=plan).first()
        if found is None:
            raise CommandError(f"规划 {plan} 不存在", returncode=2)
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"输出目录不存在:{path.parent}", returncode=2)
        partial = path.with_name(path.name + ".part")
        try:
            result = export_build(plan=found, report=report, year=year, path_or_stream=str(partial))
        except ExportError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(str(exc), returncode=2) from exc
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(path)
        self.stdout.write(f"已导出 {path}:表格 {result.rows} 行({found.title})")

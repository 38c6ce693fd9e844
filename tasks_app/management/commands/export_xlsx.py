"""python manage.py export_xlsx --plan ID --report division|progress|indicators|units [--year Y | --period P] -o FILE.

``--report`` accepts every identifier in the exporter registry (the four above are the built-in ones).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tasks_app.exporters import registry
from tasks_app.models import Plan
from tasks_app.services.exports import ExportError, export_build, export_year_help


class Command(BaseCommand):
    help = "导出 Excel 报表(报表类型见 --report:内置分工表、年度落实情况、主要指标完成情况、单位任务量)"

    def add_arguments(self, parser: CommandParser) -> None:
        workbooks = [e for e in registry if e.file_extension == "xlsx"]  # the Word reports: export_docx
        reports = ";".join(f"{e.identifier}:{e.verbose_name}" for e in workbooks)
        parser.add_argument("--plan", type=int, required=True, help="规划 ID")
        parser.add_argument("--report", required=True, choices=[e.identifier for e in workbooks], help=reports)
        parser.add_argument("--year", type=int, help=f"报送周期年度。{export_year_help()}")
        parser.add_argument("--period", default="", help="只导出一个报送期:2022Q3、2022H1 或 2022-07")
        parser.add_argument("-o", "--output", required=True, help="输出的 .xlsx 文件")

    def handle(
        self, *args: object, plan: int, report: str, year: int | None, output: str, period: str = "", **options: object
    ) -> None:
        found = Plan.objects.filter(pk=plan).first()
        if found is None:
            raise CommandError(f"规划 {plan} 不存在", returncode=2)
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"输出目录不存在:{path.parent}", returncode=2)
        partial = path.with_name(path.name + ".part")
        try:
            result = export_build(plan=found, report=report, year=year, period=period, path_or_stream=str(partial))
        except ExportError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(str(exc), returncode=2) from exc
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(path)
        self.stdout.write(f"已导出 {path}:{result.rows} 行({found.title})")

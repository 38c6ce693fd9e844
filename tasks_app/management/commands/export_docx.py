"""python manage.py export_docx --plan ID --report annual|midterm|final [--year Y] -o FILE.

The Word evaluation reports (tasks_app.exporters.evaluation), built by the same ``export_build`` as the
console's export page and the export API; writing the file is export_xlsx's (a .part file, then renamed).
"""

from __future__ import annotations

from django.core.management.base import CommandParser

from tasks_app.exporters.evaluation import EVALUATION_EXPORTERS

from .export_xlsx import Command as WorkbookCommand


class Command(WorkbookCommand):
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

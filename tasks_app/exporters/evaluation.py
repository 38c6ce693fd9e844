"""The Word evaluation reports as exporters: 年度监测报告 / 中期评估报告 / 总结评估报告 (``annual`` / ``midterm`` /
``final``). Registered like the workbooks, so the console export page, its background jobs, the export API
and ``export_docx`` build the same file (evaluation_content says what, evaluation_docx how)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any, ClassVar

from docx.shared import Pt

from tasks_app.selectors.monitoring import at_risk_first, chapter_statuses

from .base import CyclePolicy, Exporter, ExportResult, ProgressCallback, SheetResult
from .evaluation_content import INDICATOR_COLUMNS, REPORTS, TASK_COLUMNS, Evaluation, evaluation_build
from .evaluation_docx import StreamedTable, add_table, body_paragraph, new_document, png_picture, write_streamed

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CHAPTER_COLUMNS = (("章节", 60), ("任务", 16), ("已完成", 16), ("按计划推进", 20), ("滞后", 16), ("未报送", 16))
UNIT_COLUMNS = (("单位", 60), ("应报", 16), ("已完成", 16), ("按计划推进", 20), ("滞后", 16), ("未报送", 16))


def _tally_row(label: str, t: Any) -> list[str]:
    return [label, str(t.total), str(t.done), str(t.on_schedule), str(t.behind), str(t.unreported)]


class EvaluationExporter(Exporter):
    """One Word report; ``report`` is the evaluation kind (a key of evaluation_content.REPORTS)."""

    report: ClassVar[str]
    file_extension: ClassVar[str] = "docx"
    content_type: ClassVar[str] = DOCX
    cycle_policy = CyclePolicy.OPTIONAL

    @classmethod
    def estimate_rows(cls, *, plan: Any) -> int:
        """Annex rows: one per indicator and per task."""
        return int(plan.items.filter(is_active=True).count())

    def evaluation(self) -> Evaluation:
        """The year asked for; else the annual report's cycle (the default one) and the others' default year."""
        year = self.year or (self.cycle.year if self.cycle is not None and self.report == "annual" else None)
        return evaluation_build(plan=self.plan, report=self.report, year=year)

    def write(self, target: str | IO[bytes], *, progress: ProgressCallback | None = None) -> ExportResult:
        evaluation = self.evaluation()
        document = new_document()
        document.add_paragraph(evaluation.title, style="Title")
        document.add_paragraph(evaluation.subtitle, style="Title")
        tables = list(self._body(document, evaluation))
        document.add_page_break()
        document.add_paragraph("附件1", style="Heading 1")
        document.add_paragraph(f"{evaluation.year}年主要指标完成情况表", style="Title")
        indicators = StreamedTable("ind", INDICATOR_COLUMNS, evaluation.indicator_rows())
        add_table(document, indicators, font_size=Pt(9))
        document.add_page_break()
        document.add_paragraph("附件2", style="Heading 1")
        document.add_paragraph(f"{evaluation.year}年重点任务进展表", style="Title")
        tasks = StreamedTable("task", TASK_COLUMNS, evaluation.task_rows())
        add_table(document, tasks)
        rows = write_streamed(document, [*tables, indicators, tasks], target, progress=progress)
        return ExportResult(sheets=[SheetResult(name=REPORTS[self.report], rows=rows)])

    def _body(self, document: Any, evaluation: Evaluation) -> Iterator[StreamedTable]:
        for key, heading, paragraphs in evaluation.sections():
            document.add_paragraph(heading, style="Heading 1")
            for text in paragraphs:
                body_paragraph(document, text)
            if key == "indicators":
                self._charts(document, evaluation)
            if key == "tasks":
                s = evaluation.schedule
                document.add_paragraph("(一)按章节", style="Heading 2")
                chapters = StreamedTable("chap", CHAPTER_COLUMNS, [_tally_row(c.label, c) for c in s.chapters])
                add_table(document, chapters)
                yield chapters
                document.add_paragraph("(二)按单位", style="Heading 2")
                units = StreamedTable("unit", UNIT_COLUMNS, [_tally_row(u.label, u) for u in s.units])
                add_table(document, units)
                yield units

    MAX_PATH_CHARTS: ClassVar[int] = 8  # the binding indicators at risk come first

    def _charts(self, document: Any, evaluation: Evaluation) -> None:
        """The status bar per chapter, then the path of each binding indicator that has one (at risk first)."""
        # matplotlib takes ~2 s to import: only the processes that write a Word report pay for it
        from .evaluation_charts import chapter_status_png, path_png

        chapters = [(c.label, c.counts) for c in chapter_statuses(evaluation.indicators)]
        bar = chapter_status_png(chapters)
        if bar is not None:
            png_picture(document, bar, width_mm=150, caption="图1 各章节主要指标序时进度")
        drawn = 0
        for m in at_risk_first(evaluation.binding):
            if drawn == self.MAX_PATH_CHARTS or m.track.target is None:
                continue
            png = path_png(m.row.item.title, m.track)
            if png is not None:
                drawn += 1
                png_picture(document, png, width_mm=140, caption=f"图{drawn + 1} {m.row.item.title}")


class AnnualReport(EvaluationExporter):
    identifier = "annual"
    report = "annual"
    verbose_name = "年度监测报告(Word)"
    description = "规划纲要实施情况年度监测报告,附指标完成情况表、任务进展表"


class MidtermReport(EvaluationExporter):
    identifier = "midterm"
    report = "midterm"
    verbose_name = "中期评估报告(Word)"
    description = "时间过半、任务过半评估;年度留空为规划期中间年"


class FinalReport(EvaluationExporter):
    identifier = "final"
    report = "final"
    verbose_name = "总结评估报告(Word)"
    description = "规划期末总结评估;年度留空为规划期末年"


EVALUATION_EXPORTERS = (AnnualReport, MidtermReport, FinalReport)

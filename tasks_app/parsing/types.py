"""Data shapes shared by every parser.

Pure Python: nothing in ``tasks_app.parsing`` may import Django. Parsers turn text into a
``ParsedDocument``; ``tasks_app.importing`` turns that into database records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Item kinds
BINDING = "binding"  # 约束性指标
EXPECTED = "expected"  # 预期性指标
INDICATOR = "indicator"  # an indicator whose category the document does not state
TASK = "task"  # 重点任务 / paragraph task
PROJECT = "project"  # a line of a 专栏 box

INDICATOR_KINDS = (BINDING, EXPECTED, INDICATOR)

# Assignment roles
LEAD = "lead"  # 牵头单位
COOPERATING = "cooperating"  # 配合单位
RESPONSIBLE = "responsible"  # 责任单位 / 责任部门 / "X负责"
ROLES = (LEAD, COOPERATING, RESPONSIBLE)

# Evaluation outcomes of the previous plan (000 表1-1, 004 表1)
DONE = "完成"
NOT_DONE = "未完成"
NO_DATA = "无统计"


class ParseError(ValueError):
    """The input is not a document we can read. The message is one clear line in Chinese or English."""


@dataclass
class Section:
    """A heading: 章 / 节 / 一、 / (一) / 1. / 专栏 box title.

    ``key`` is unique in the document and stable across re-imports of the same text
    (e.g. "三/(一)/1"); ``parent`` is the key of the enclosing section or None.
    """

    key: str
    level: int  # 1 = outermost
    number: str  # "第三章", "(一)", "1", "专栏1" as written
    title: str
    parent: str | None
    source_lines: tuple[int, int]  # 1-based inclusive line numbers in the original text


@dataclass
class IndicatorDetail:
    domain: str = ""  # 领域 / 类别 column, e.g. "经济发展"
    unit_of_measure: str = ""  # 单位 column, e.g. "%", "亿元"
    baseline_text: str = ""  # as written, e.g. "470", "[20]", "—"
    baseline_year: int | None = None
    baseline_value: float | None = None
    target_text: str = ""  # always kept, e.g. "达到11.2年", "[7.75]", "*", "等待省下达"
    target_year: int | None = None
    target_value: float | None = None  # only when the target is one number
    growth_text: str = ""  # 年均增速 column when present
    cumulative: bool = False  # written as [..]: five-year cumulative value
    pending: bool = False  # "*" or "等待省下达": the province has not set the target yet


@dataclass
class ParsedItem:
    kind: str  # BINDING / EXPECTED / INDICATOR / TASK / PROJECT
    number: str  # number as written in its list ("7", "(三)", "12") or a running number
    section: str | None  # key of the Section it belongs to
    title: str  # short title: first sentence or the "要点" before 。 or the indicator name
    text: str  # full text, paragraphs joined with "\n"
    source_lines: tuple[int, int]  # 1-based inclusive
    # Raw unit strings per role exactly as written after the label, one entry per line/clause,
    # e.g. {"cooperating": ["市工信委、市住房城乡建设委、市交通局、市商务局、市农委等"]}.
    unit_text: dict[str, list[str]] = field(default_factory=dict)
    indicator: IndicatorDetail | None = None
    # Filled by enrichment (tasks_app.parsing.enrich), not by the structure parsers:
    units: dict[str, list[str]] = field(default_factory=dict)  # role -> raw names, split and cleaned
    and_others: bool = False
    milestones: list[Milestone] = field(default_factory=list)
    deadline: date | None = None
    deadline_text: str | None = None
    deadline_defaulted: bool = False


@dataclass
class Milestone:
    date: date
    text: str  # the phrase as written, e.g. "到2016年底"


@dataclass
class Evaluation:
    """One row of the previous plan's completion table (000 表1-1, 004 表1)."""

    name: str
    category: str | None  # BINDING / EXPECTED / None
    unit_of_measure: str
    target_text: str
    actual_text: str
    status: str  # DONE / NOT_DONE / NO_DATA
    domain: str = ""
    baseline_text: str = ""
    source_lines: tuple[int, int] = (0, 0)


# Reporting frequencies (BRIEF §4): one reporting cycle per period.
YEARLY = "yearly"
HALF_YEARLY = "half-yearly"
QUARTERLY = "quarterly"
MONTHLY = "monthly"
FREQUENCIES = (YEARLY, HALF_YEARLY, QUARTERLY, MONTHLY)


@dataclass
class DuePoint:
    """When the report on one period is due, counted from the period's first month.

    ``month_offset`` months after the period's first month (0 = that month), on ``day`` (0 = the
    month's last day). "每季度最后一个月25日前" → (2, 25) for every quarter; "每年2月中旬前将上年度…" →
    (13, 15) for the year; "7月5日前…半年" → (6, 5) for H1. ``period`` is "*" (every period) or one
    label suffix ("H1", "H2", "Q4", "12").
    """

    month_offset: int
    day: int
    period: str = "*"


@dataclass
class ReportingRule:
    """ "每年2月中旬前将上年度…报送市发展改革委" → yearly, month=2, day=15, recipient="市发展改革委"."""

    month: int | None  # month and day of the yearly report; None when the rule has none
    day: int | None
    recipient: str | None  # raw unit name as written
    previous_year: bool  # the text says 上年度 / 上一年
    text: str  # the sentence it came from
    source_line: int = 0
    frequency: str = YEARLY
    due: list[DuePoint] = field(default_factory=list)


@dataclass
class ParsedDocument:
    title: str
    kind: str  # "notice" (a division notice) or "plan" (规划纲要 itself)
    jurisdiction: str  # e.g. "营口市", "站前区"
    parent_jurisdiction: str | None  # e.g. "营口市" for 站前区, when the text tells
    period_start: int  # first plan year, e.g. 2016
    period_end: int  # last plan year, e.g. 2020
    doc_number: str = ""  # 营政发〔2016〕45号
    issuer: str = ""
    issued: date | None = None
    layout: str = ""  # which parser read it: "unit-lines", "inline-units", "outline", "table", "xlsx"
    format: str = "txt"  # the file's format: txt, docx, doc, pdf, html, xlsx, xls
    reporting: ReportingRule | None = None
    sections: list[Section] = field(default_factory=list)
    items: list[ParsedItem] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    line_count: int = 0


@dataclass
class TableBlock:
    """A table as a grid of cell texts as written, merged ranges resolved to their value."""

    rows: list[list[str]]
    first_line: int  # 1-based line of rows[0] in Extracted.lines; row i is on line first_line + i
    name: str = ""  # sheet name


@dataclass
class Extracted:
    """What a format reader hands to the shared layout detection: the document as text lines (tables
    rendered one row per line, cells tab-separated) and its tables as grids, plus page metadata."""

    format: str
    lines: list[str]
    tables: list[TableBlock] = field(default_factory=list)
    title: str = ""
    doc_number: str = ""
    issued: date | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class StructureResult:
    """What a structure parser returns; the dispatcher merges results into a ParsedDocument."""

    sections: list[Section] = field(default_factory=list)
    items: list[ParsedItem] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    consumed_lines: set[int] = field(default_factory=set)  # 1-based lines used (tables)

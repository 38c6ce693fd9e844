"""Structure parser for division notices (分工通知 / 分工方案).

Two layouts are read:

* "unit-lines" (营政发〔2016〕45号): after the item text come lines such as ``牵头单位:…`` /
  ``配合单位:…`` / ``责任单位:…``. Every run of such lines (a unit block) closes one item whose
  text is everything since the previous block or heading.
* "inline-units": the units sit in a bracket after the item, ``1.xxx(市发改委牵头,市财政局配合)``
  or on a line of their own, ``(责任部门:商务局、住建局)``.

Headings (一、 / (一) / 1. / 专栏N) become Sections; a heading line directly followed by the
units is an item itself (the indicators of 二、落实主要指标分工安排 are written that way).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .inline_units import LABEL_RE, InlineUnits, extract_inline_units, split_labelled
from .types import (
    BINDING,
    EXPECTED,
    INDICATOR,
    PROJECT,
    TASK,
    ParsedItem,
    ParseError,
    Section,
    StructureResult,
)

LAYOUT_UNIT_LINES = "unit-lines"
LAYOUT_INLINE = "inline-units"

_CN_NUM = "一二三四五六七八九十百零〇"
_LEVEL1_RE = re.compile(rf"^([{_CN_NUM}]+)\s*[、..]\s*(.*)$")
_LEVEL2_RE = re.compile(rf"^[((]\s*([{_CN_NUM}]+)\s*[))]\s*[、.]?\s*(.*)$")
_NUMBERED_RE = re.compile(r"^(\d{1,3})\s*[..、]\s*(\S.*)$")
_BOX_RE = re.compile(r"^专栏\s*(\d+)\s*[::.、]?\s*(.*)$")
_UNIT_LINE_RE = re.compile(r"^\s*" + LABEL_RE.pattern)
_TITLE_STOPS = "。;;,,::!!??"
_OPENERS = "((“‘《[【「"
_CLOSERS = "))”’》]】」"
_DATE_ONLY_RE = re.compile(r"^(到|至|截至|力争|预计)?\d{4}年(底|末|前|以前)?$")
_TITLE_MAX = 40

# Heading ranks: the outline always nests in this order, whatever level is missing.
_RANK_LEVEL1, _RANK_LEVEL2, _RANK_NUMBERED, _RANK_BOX = 1, 2, 3, 4


@dataclass
class _Heading:
    rank: int
    number: str  # as used in keys and Section.number: "三", "(一)", "1", "专栏1"
    title: str


@dataclass
class _Open:
    rank: int
    section: Section


def detect_layout(lines: list[str]) -> str:
    """Unit-lines when some line starts with a unit label (牵头单位:…), otherwise inline."""
    if any(_UNIT_LINE_RE.match(line.strip()) for line in lines):
        return LAYOUT_UNIT_LINES
    return LAYOUT_INLINE


class NoAssignedItems(ParseError):
    """A notice in which no item carries a unit: the caller may read it as an undivided task list."""


def parse_notice(lines: list[str]) -> StructureResult:
    """Sections and items of a division notice; raises NoAssignedItems when no item is found."""
    layout = detect_layout(lines)
    result = _NoticeParser(lines, layout).run()
    if not result.items:
        raise NoAssignedItems(
            "No assigned item found: expected lines starting with 牵头单位/配合单位/责任单位 "
            "or items ending with a unit annotation such as (市发改委牵头,市财政局配合)."
        )
    return result


def heading_of(text: str) -> _Heading | None:
    """Recognise an outline heading line; returns None for ordinary paragraphs."""
    for rank, regex in ((_RANK_LEVEL2, _LEVEL2_RE), (_RANK_LEVEL1, _LEVEL1_RE)):
        match = regex.match(text)
        if match:
            number = f"({match.group(1)})" if rank == _RANK_LEVEL2 else match.group(1)
            return _Heading(rank, number, match.group(2).strip())
    match = _NUMBERED_RE.match(text)
    if match:
        return _Heading(_RANK_NUMBERED, match.group(1), match.group(2).strip())
    match = _BOX_RE.match(text)
    if match:
        return _Heading(_RANK_BOX, f"专栏{match.group(1)}", match.group(2).strip())
    return None


def make_title(text: str) -> str:
    """First sentence or clause of the text (the "要点"), at most ~40 characters.

    Stops inside brackets and quotes do not count ("新增建设用地*万亩(*为待省分解下达目标,下同)"),
    and a bare date ("到2020年,") runs on to the next stop.
    """
    first = text.split("\n", 1)[0].strip()
    depth = 0
    cut = len(first)
    for index, char in enumerate(first):
        if char in _OPENERS:
            depth += 1
        elif char in _CLOSERS:
            depth = max(depth - 1, 0)
        elif depth == 0 and char in _TITLE_STOPS and not _DATE_ONLY_RE.match(first[:index]):
            cut = index
            break
    title = re.sub(r"[。;;,,::\s]+$", "", first[:cut].strip())
    return title if len(title) <= _TITLE_MAX else title[:_TITLE_MAX] + "…"


class _NoticeParser:
    def __init__(self, lines: list[str], layout: str) -> None:
        self.lines = [line.strip().replace("\u3000", " ").strip() for line in lines]
        self.layout = layout
        self.sections: list[Section] = []
        self.stack: list[_Open] = []
        self.items: list[ParsedItem] = []
        self.warnings: list[str] = []
        self.counters: dict[str | None, int] = {}
        self.pending: list[tuple[int, str]] = []  # (line number, text) since the last item or heading
        self.pending_number: str | None = None  # written number when the pending item is a heading line
        self.orphans: list[tuple[str | None, int, int]] = []  # text never closed by units

    # ----------------------------------------------------------------- main loop
    def run(self) -> StructureResult:
        index = 0
        while index < len(self.lines):
            text = self.lines[index]
            if not text:
                index += 1
                continue
            if self.layout == LAYOUT_UNIT_LINES and _UNIT_LINE_RE.match(text):
                index = self._read_unit_block(index)
                continue
            annotation = extract_inline_units(text) if self.layout == LAYOUT_INLINE else None
            if annotation is not None:
                self._inline_item(index + 1, text, annotation)
            else:
                self._plain_line(index, text)
            index += 1
        self._drop_pending()
        self._close_sections(0)
        return self._result()

    def _plain_line(self, index: int, text: str) -> None:
        heading = heading_of(text)
        if heading is None:
            self.pending.append((index + 1, text))
            return
        if heading.rank != _RANK_BOX and self._closer_follows(index):
            # "7.单位地区生产总值能源消耗降低*。" + unit lines: a numbered item, not a heading.
            self._drop_pending()
            self.pending = [(index + 1, heading.title if heading.title else text)]
            self.pending_number = heading.number
            return
        if heading.rank == _RANK_BOX and not self._box_has_content(index):
            # A box title with no lines of its own ("专栏4 重大工业项目" + units) belongs to the item text.
            self.pending.append((index + 1, text))
            return
        self._drop_pending()
        self._open_section(heading, index + 1)

    def _closer_follows(self, index: int) -> bool:
        following = self._next_text(index)
        if following is None:
            return False
        if self.layout == LAYOUT_UNIT_LINES:
            return _UNIT_LINE_RE.match(following) is not None
        annotation = extract_inline_units(following)
        return annotation is not None and not annotation.text

    def _box_has_content(self, index: int) -> bool:
        following = self._next_text(index)
        if following is None or heading_of(following) is not None:
            return False
        return not self._closer_follows(index)

    def _next_text(self, index: int) -> str | None:
        for following in range(index + 1, len(self.lines)):
            if self.lines[following]:
                return self.lines[following]
        return None

    # ----------------------------------------------------------------- items
    def _read_unit_block(self, index: int) -> int:
        unit_text: dict[str, list[str]] = {}
        first = index + 1
        last = first
        while index < len(self.lines):
            text = self.lines[index]
            if not text:
                # A blank line inside a block does not end it when more unit lines follow.
                if _UNIT_LINE_RE.match(self._next_text(index) or ""):
                    index += 1
                    continue
                break
            if not _UNIT_LINE_RE.match(text):
                break
            for role, value in split_labelled(text):
                if value:
                    unit_text.setdefault(role, []).append(value)
            last = index + 1
            index += 1
        self._emit(unit_text, None, first, last)
        return index

    def _inline_item(self, line_no: int, text: str, annotation: InlineUnits) -> None:
        if not annotation.text:
            self._emit(annotation.unit_text, annotation.category, line_no, line_no)
            return
        heading = heading_of(annotation.text)
        if heading is not None and heading.rank != _RANK_BOX:
            # A numbered item stands alone: text before it was an introduction.
            self._drop_pending()
            self.pending = [(line_no, heading.title)]
            self.pending_number = heading.number
        else:
            # "为此,重点做好以下工作:" leads into the list; it is nobody's task.
            while self.pending and self.pending[-1][1].endswith((":", ":")):
                self.pending.pop()
            self.pending.append((line_no, annotation.text))
        self._emit(annotation.unit_text, annotation.category, line_no, line_no)

    def _emit(self, unit_text: dict[str, list[str]], category: str | None, first: int, last: int) -> None:
        if not self.pending:
            self.warnings.append(f"Line {first}: units without an item text before them; ignored.")
            return
        section = self.stack[-1].section.key if self.stack else None
        text = "\n".join(part for _, part in self.pending)
        kind = self._kind(category, [part for _, part in self.pending])
        if self.pending_number is not None:
            number = self.pending_number
        else:
            number = str(self.counters.get(section, 0) + 1)
        self.counters[section] = self.counters.get(section, 0) + 1
        self.items.append(
            ParsedItem(
                kind=kind,
                number=number,
                section=section,
                title=make_title(text),
                text=text,
                source_lines=(self.pending[0][0], last),
                unit_text={role: list(values) for role, values in unit_text.items()},
            )
        )
        for open_section in self.stack:
            open_section.section.source_lines = (open_section.section.source_lines[0], last)
        self.pending = []
        self.pending_number = None

    def _kind(self, category: str | None, parts: list[str]) -> str:
        if category:
            return category
        if self.stack and self.stack[-1].rank == _RANK_BOX:
            return PROJECT
        if all(_BOX_RE.match(part) for part in parts):
            return PROJECT
        for open_section in reversed(self.stack):
            title = open_section.section.title
            if "约束性" in title:
                return BINDING
            if "预期性" in title:
                return EXPECTED
        # Only an outer heading such as "二、落实主要指标分工安排" marks a list of indicators.
        if any("指标" in s.section.title for s in self.stack if s.rank <= _RANK_LEVEL2):
            return INDICATOR
        return TASK

    def _drop_pending(self) -> None:
        if self.pending:
            section = self.stack[-1].section.key if self.stack else None
            self.orphans.append((section, self.pending[0][0], self.pending[-1][0]))
        self.pending = []
        self.pending_number = None

    # ----------------------------------------------------------------- sections
    def _open_section(self, heading: _Heading, line_no: int) -> None:
        self._close_sections(heading.rank)
        parent = self.stack[-1].section.key if self.stack else None
        key = f"{parent}/{heading.number}" if parent else heading.number
        taken = {section.key for section in self.sections}
        base, suffix = key, 2
        while key in taken:
            key = f"{base}#{suffix}"
            suffix += 1
        section = Section(
            key=key,
            level=len(self.stack) + 1,
            number=heading.number,
            title=make_title(heading.title) if heading.title else heading.number,
            parent=parent,
            source_lines=(line_no, line_no),
        )
        self.sections.append(section)
        self.stack.append(_Open(heading.rank, section))

    def _close_sections(self, rank: int) -> None:
        while self.stack and self.stack[-1].rank >= rank:
            self.stack.pop()

    def _result(self) -> StructureResult:
        used: set[str] = set()
        parents = {section.key: section.parent for section in self.sections}
        for item in self.items:
            key = item.section
            while key is not None and key not in used:
                used.add(key)
                key = parents.get(key)
        # Headings that hold no item (一、分工原则, 四、工作要求) are left out.
        sections = [section for section in self.sections if section.key in used]
        for section, first, last in self.orphans:
            # Text in a heading that holds items but has no units of its own may be a lost task.
            if section in used:
                self.warnings.append(f"Lines {first}-{last}: text without units under {section}; skipped.")
        return StructureResult(sections=sections, items=self.items, warnings=self.warnings)

"""Outline parser for plan documents (规划纲要): headings become sections, paragraphs become tasks.

Sections
    第X章 / 第X节 / 一、 / (一) / 1. headings nest by the order they appear (a style only nests inside
    a style that ranks above it: 章 > 节 > 一、 > (一) > 1.). ``level`` is the nesting depth, ``key`` is
    the path of the numbers as integers ("3", "3/2", "7/1/2"), so the same text always yields the same
    keys. A "1.xxx" line is a heading only when it is short, is not a sentence (no 。) and is followed by
    body text; otherwise it is a numbered paragraph. 专栏 boxes are sections one level below the
    section they sit in, keyed "<parent>/专栏<n>".

Ignored text
    Everything before the first heading (web-page noise, the title, the preface), the table of
    contents after a 目录 line (up to the first non-heading line or the repeat of its first entry),
    the preface after a 前言 line, everything after 附件 / 附录 / 名词解释 (until a new top-level
    heading), pipe-table lines (two or more "|"), lines listed in ``skip``
    (tables parsed elsewhere), and 图/表 captions and 注: notes. A heading that repeats a level-1 key
    whose first occurrence holds no text replaces it (a table of contents without a 目录 line).

Tasks
    *Annotated plans* (any paragraph ends with a unit annotation such as "(责任部门:商务局)", read by
    ``inline_units.extract_inline_units``): only annotated text is a task. An annotation closes the
    text since the previous task or heading; when the paragraph right before the annotation starts with
    a key phrase ("要点。正文") that paragraph alone is the task and the earlier ones are taken as the
    section's introduction.
    *Undivided plans*: every paragraph of a leaf section (no sub-headings other than 专栏) is a task,
    except (a) sections whose own or an ancestor's title names the review / outlook / guiding-thought /
    targets part of a plan (发展基础, 发展环境, 指导思想, 基本原则, 发展目标, 远景目标 …), (b) the
    leading paragraphs of a section that are not in "要点。正文" form when later ones are: they introduce
    the section, and (c) a closing exhortation (the document's last paragraph, ending with "!").
    Title: the key phrase of a "要点。正文" / "要点:正文" paragraph, else the first sentence cut at a
    clause boundary to at most 40 characters.

专栏 boxes
    "专栏N 标题 |" (the box drawn as a one-column table) takes the following lines up to the one ending
    with "|"; a box without the pipe takes the following lines up to a blank line or a heading. Each
    entry becomes a PROJECT item; several entries on one line are split at the spaces that separate
    them (not at spaces inside a phrase such as "蔓枝草 8 段").
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from .inline_units import InlineUnits, extract_inline_units
from .types import PROJECT, TASK, ParsedItem, Section, StructureResult

_CN_NUM = "一二三四五六七八九十百零〇"
_STYLE_RANK = {"chapter": 0, "jie": 1, "cn": 2, "paren": 3, "arabic": 4}
_HEADING_RES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("chapter", re.compile(rf"^第([{_CN_NUM}\d]+)章\s*(.*)$")),
    ("jie", re.compile(rf"^第([{_CN_NUM}\d]+)节\s*(.*)$")),
    ("cn", re.compile(r"^([一二三四五六七八九十]{1,3})\s*、\s*(.+)$")),
    ("paren", re.compile(r"^[((]\s*([一二三四五六七八九十]{1,3})\s*[))]\s*(.+)$")),
    ("arabic", re.compile(r"^(\d{1,2})\s*[.．、]\s*(.+)$")),
)
_BOX_RE = re.compile(r"^专栏\s*(\d+(?:\s*[-—–.-]\s*\d+)?|[一二三四五六七八九十]+)\s*(.*)$")
_CAPTION_RE = re.compile(r"^(图|表)\s*\d+(?:\s*[-—–.-]\s*\d+)?|^注\s*[::∶]|^资料来源")
_TOC_PAGE_RE = re.compile(r"[\s.…·-]*\d*$")
_PREFACE = {"前言", "序言", "引言"}
_TAIL_RE = re.compile(r"^(附件|附录|附表|附图|名词解释)\s*\d*\s*[::]?$")
_NON_WORK_WORDS = (
    "发展基础",
    "发展环境",
    "发展成就",
    "规划背景",
    "面临形势",
    "面临环境",
    "机遇和挑战",
    "机遇与挑战",
    "存在问题",
    "完成情况",
    "指导思想",
    "基本原则",
    "遵循原则",
    "发展目标",
    "主要目标",
    "远景目标",
    "远景展望",
    "总体要求",
    "总体思路",
    "发展构想",
)
_KEY_PHRASE_RE = re.compile(r"^([^。:,,;;!!??]{2,25})[。::]")
_SENTENCE_END = "。!!??;;"
_LEAD_MARKS_RE = re.compile(r"^(?:——|—|-|·)+\s*|^(?:\d{1,2}\s*[.．、]|[((][一二三四五六七八九十\d]{1,3}[))])\s*")
# The number a task paragraph writes for itself ("4.深入打好蓝天保卫战…", "(三)新建高标准农田…"): yearly task
# lists number their tasks straight through the headings, and the office cites them by that number.
_OWN_NUMBER_RE = re.compile(r"^\s*(?:(\d{1,3})\s*[.．、]|[((]([一二三四五六七八九十百]{1,4}|\d{1,3})[))])")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_ENTRY_END = '。;;!!))”"'
_NO_BREAK_AFTER = "、,,::((—-"
_NO_BREAK_BEFORE = "、,,。;;::))"
_TITLE_MAX = 40
_BOX_MAX_LINES = 40
_PUNCT = "。;;,,、:: \t\u3000"


@dataclass
class _Paragraph:
    section: str | None
    text: str
    first: int
    last: int
    group: int  # changes at every heading or box, so annotated tasks never span one


@dataclass
class _State:
    sections: dict[str, Section] = field(default_factory=dict)
    styles: dict[str, str] = field(default_factory=dict)  # key -> heading style
    has_text: set[str] = field(default_factory=set)  # keys whose subtree holds text
    has_child: set[str] = field(default_factory=set)  # keys with a non-box sub-heading
    stack: list[str] = field(default_factory=list)
    paragraphs: list[_Paragraph] = field(default_factory=list)
    items: list[ParsedItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    group: int = 0


def parse_outline(lines: list[str], *, skip: Collection[int] = frozenset()) -> StructureResult:
    """Read the section tree, paragraph tasks and 专栏 projects of a plan document."""
    state = _State()
    stripped = [_strip(line) for line in lines]
    blank_separated = sum(1 for s in stripped if not s) >= 0.3 * max(1, sum(1 for s in stripped if s))
    mode = "body"  # body / toc / tail
    top_style: str | None = None
    in_preface = False
    toc_first = ""
    joinable = False  # the previous line was a paragraph line with no break after it
    index = 0
    while index < len(lines):
        number, text = index + 1, stripped[index]
        index += 1
        compact = re.sub(r"\s+", "", text)
        if number in skip or not text:
            joinable = False
            continue
        if mode == "toc":
            entry = _TOC_PAGE_RE.sub("", compact)
            # The contents end at the first line that is no heading, or when its first entry recurs.
            if _heading_of(entry) is not None and entry != toc_first:
                toc_first = toc_first or entry
                continue
            mode = "body"
        if compact == "目录":
            mode, joinable, toc_first = "toc", False, ""
            continue
        if compact in _PREFACE:
            in_preface, joinable = True, False
            state.stack.clear()
            state.group += 1
            continue
        if _TAIL_RE.match(compact):
            mode, joinable = "tail", False
            state.stack.clear()
            continue
        heading = _heading_of(text)
        if mode == "tail":
            if heading is None or heading[0] != top_style:
                continue
            mode = "body"
        box = _BOX_RE.match(text)
        if box and state.stack:
            index = _read_box(state, stripped, index, number, box, skip)
            joinable = False
            continue
        if text.count("|") >= 2 or text.startswith("|") or _CAPTION_RE.match(compact):
            joinable = False
            continue
        if heading and heading[0] == "arabic" and not _followed_by_body(stripped, index, skip):
            heading = None
        if heading:
            top_style = top_style or heading[0]
            in_preface, joinable = False, False
            _open_section(state, heading, number)
            continue
        if in_preface or not state.stack:
            continue
        _add_paragraph(state, text, number, extend=joinable and blank_separated)
        joinable = True
    annotated = any(_trailing_annotation(p.text) for p in state.paragraphs)
    if annotated:
        _annotated_tasks(state)
    else:
        _plain_tasks(state)
    items = sorted(state.items, key=lambda item: item.source_lines)
    return StructureResult(sections=list(state.sections.values()), items=items, warnings=state.warnings)


def _strip(line: str) -> str:
    return line.strip(" \t\r\n\u3000\ufeff\xa0•·")


def _heading_of(text: str) -> tuple[str, int, str, str] | None:
    """(style, number, number as written, title) when the line is a heading."""
    for style, pattern in _HEADING_RES:
        match = pattern.match(text)
        if not match:
            continue
        title = match.group(2).strip()
        limit = 60 if style in ("chapter", "jie") else _TITLE_MAX
        if len(title) > limit or any(mark in title for mark in _SENTENCE_END) or title.endswith("|"):
            return None
        if style not in ("chapter", "jie") and not _CJK_RE.search(title):
            return None  # "2.4" in a flattened table is a number, not a heading
        value = _number(match.group(1))
        written = {
            "chapter": f"第{match.group(1)}章",
            "jie": f"第{match.group(1)}节",
            "cn": f"{match.group(1)}、",
            "paren": f"({match.group(1)})",
            "arabic": match.group(1),
        }[style]
        return style, value, written, title
    return None


def _number(numeral: str) -> int:
    if numeral.isdigit():
        return int(numeral)
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0}
    total, current = 0, 0
    for char in numeral:
        if char in digits:
            current = digits[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
    return total + current


def _followed_by_body(stripped: list[str], index: int, skip: Collection[int]) -> bool:
    """A "1.xxx" line heads a block only when body text (not another heading) follows it."""
    for position in range(index, min(len(stripped), index + 20)):
        text = stripped[position]
        if not text or position + 1 in skip:
            continue
        if text.startswith("专栏"):
            return True
        return _heading_of(text) is None and text.count("|") < 2
    return False


def _open_section(state: _State, heading: tuple[str, int, str, str], number: int) -> None:
    style, value, written, title = heading
    rank = _STYLE_RANK[style]
    while state.stack and _STYLE_RANK[state.styles[state.stack[-1]]] >= rank:
        state.stack.pop()
    parent = state.stack[-1] if state.stack else None
    key = f"{parent}/{value}" if parent else str(value)
    if key in state.sections:
        if parent is None and not _subtree_has_text(state, key):
            # The first run of these headings was a table of contents: drop it.
            toc_start = state.sections[key].source_lines[0]
            for old in [
                k
                for k, section in state.sections.items()
                if section.source_lines[0] >= toc_start and not _subtree_has_text(state, k)
            ]:
                del state.sections[old]
            state.warnings.append(f"第{number}行: 重复的标题“{title}”,前一处视为目录已忽略")
        else:
            suffix = 2
            while f"{key}~{suffix}" in state.sections:
                suffix += 1
            state.warnings.append(f"第{number}行: 标题编号重复“{written}{title}”")
            key = f"{key}~{suffix}"
    if parent:
        state.has_child.add(parent)
    state.sections[key] = Section(
        key=key,
        level=len(state.stack) + 1,
        number=written,
        title=title,
        parent=parent,
        source_lines=(number, number),
    )
    state.styles[key] = style
    state.stack.append(key)
    state.group += 1


def _subtree_has_text(state: _State, key: str) -> bool:
    return any(k == key or k.startswith(key + "/") for k in state.has_text)


def _touch(state: _State, key: str | None, number: int) -> None:
    """Extend the line range of a section and its ancestors to cover a line of its text."""
    while key:
        section = state.sections[key]
        section.source_lines = (section.source_lines[0], max(section.source_lines[1], number))
        state.has_text.add(key)
        key = section.parent


def _add_paragraph(state: _State, text: str, number: int, *, extend: bool) -> None:
    section = state.stack[-1]
    previous = state.paragraphs[-1] if state.paragraphs else None
    if extend and previous and previous.section == section and previous.last == number - 1:
        previous.text += text
        previous.last = number
    else:
        state.paragraphs.append(_Paragraph(section, text, number, number, state.group))
    _touch(state, section, number)


def _read_box(
    state: _State,
    stripped: list[str],
    index: int,
    number: int,
    box: re.Match[str],
    skip: Collection[int],
) -> int:
    """Consume a 专栏 box starting at line ``number``; returns the index of the line after it."""
    parent = state.stack[-1]
    written = "专栏" + re.sub(r"\s+", "", box.group(1))
    title = box.group(2).rstrip("| ").strip()
    key = f"{parent}/{written}"
    suffix = 2
    while key in state.sections:
        key = f"{parent}/{written}~{suffix}"
        suffix += 1
    section = Section(key, state.sections[parent].level + 1, written, title, parent, (number, number))
    state.sections[key] = section
    state.styles[key] = "box"
    state.group += 1
    piped = stripped[index - 1].endswith("|")
    entries: list[tuple[str, int]] = []
    last = number
    while index < len(stripped) and index - number < _BOX_MAX_LINES:
        text, line_no = stripped[index], index + 1
        if line_no in skip:
            index += 1
            continue
        if not text:
            if piped or not entries:
                index += 1
                continue
            break
        if text.startswith("专栏") or (_heading_of(text) and not (piped and text.endswith("|"))):
            break
        index += 1
        last = line_no
        closing = piped and text.endswith("|")
        entries.extend((entry, line_no) for entry in _split_entries(text.rstrip("| ").strip()))
        if closing:
            break
    section.source_lines = (number, last)
    _touch(state, parent, last)
    state.has_text.add(key)
    for position, (entry, line_no) in enumerate(entries, start=1):
        state.items.append(ParsedItem(PROJECT, str(position), key, _title_of(entry), entry, (line_no, line_no)))
    if not entries:
        state.warnings.append(f"第{number}行: {written}没有内容")
    return index


def _split_entries(text: str) -> list[str]:
    """Split a box line at the spaces between entries, not at spaces inside one ("蔓枝草 8 段").

    A bare label such as "地标性龙头景区" before a "要点。正文" entry heads that entry, so it stays
    attached to it instead of becoming a project of its own.
    """
    parts = re.split(r"(\s+)", text)
    entries: list[str] = [parts[0]]
    for gap_at in range(1, len(parts) - 1, 2):
        before, after = entries[-1], parts[gap_at + 1]
        if not after:
            continue
        prev_char = before[-1] if before else ""
        separate = prev_char in _ENTRY_END or (
            prev_char not in _NO_BREAK_AFTER
            and after[0] not in _NO_BREAK_BEFORE
            and not prev_char.isascii()
            and (not after[0].isascii() or len(after) >= 5)
        )
        label = len(before) <= 15 and not any(mark in before for mark in "。::;;!!") and _key_phrase(after)
        if separate and not label:
            entries.append(after)
        else:
            entries[-1] = before + " " + after
    return [entry.strip() for entry in entries if entry.strip()]


def _key_phrase(text: str) -> str | None:
    match = _KEY_PHRASE_RE.match(_LEAD_MARKS_RE.sub("", text))
    return match.group(1).strip() if match else None


def _item_number(text: str, position: int) -> str:
    """The number the paragraph writes for itself, else its position in its section."""
    match = _OWN_NUMBER_RE.match(text)
    if match is None:
        return str(position)
    value = _number(match.group(1) or match.group(2))
    return str(value) if value else str(position)


def _title_of(text: str) -> str:
    phrase = _key_phrase(text)
    if phrase:
        return phrase
    body = _LEAD_MARKS_RE.sub("", text).strip()
    end = min((body.find(mark) for mark in _SENTENCE_END if mark in body), default=len(body))
    sentence = body[:end]
    if len(sentence) <= _TITLE_MAX:
        return sentence.strip(_PUNCT)
    cut = max(sentence.rfind(mark, 0, _TITLE_MAX) for mark in ",,")
    return (sentence[:cut] if cut >= 8 else sentence[:_TITLE_MAX]).strip(_PUNCT)


def _trailing_annotation(text: str) -> InlineUnits | None:
    found = extract_inline_units(text)
    if found is None or not text.rstrip(_PUNCT).endswith(found.annotation.rstrip(_PUNCT)):
        return None
    return found


def _annotated_tasks(state: _State) -> None:
    pending: list[_Paragraph] = []
    counters: dict[str | None, int] = {}
    for paragraph in state.paragraphs:
        if pending and pending[-1].group != paragraph.group:
            pending = []
        found = _trailing_annotation(paragraph.text)
        if found is None:
            pending.append(paragraph)
            continue
        own_text = found.text.strip()
        candidates = [*pending, paragraph] if own_text else pending
        pending = []
        if not candidates:
            state.warnings.append(f"第{paragraph.first}行: 责任部门标注前没有任务内容")
            continue
        if _key_phrase(candidates[-1].text) or (own_text and _key_phrase(own_text)):
            candidates = candidates[-1:]
        texts = [p.text for p in candidates]
        if own_text:
            texts[-1] = own_text
        first, last = candidates[0].first, paragraph.last
        counters[paragraph.section] = counters.get(paragraph.section, 0) + 1
        full = "\n".join(texts)
        state.items.append(
            ParsedItem(
                kind=TASK,
                number=_item_number(full, counters[paragraph.section]),
                section=paragraph.section,
                title=_title_of(full),
                text=full,
                source_lines=(first, last),
                unit_text={role: list(values) for role, values in found.unit_text.items()},
            )
        )


def _is_work_section(state: _State, key: str | None) -> bool:
    while key:
        section = state.sections[key]
        if section.level <= 2 and any(word in section.title for word in _NON_WORK_WORDS):
            return False
        key = section.parent
    return True


def _plain_tasks(state: _State) -> None:
    by_section: dict[str, list[_Paragraph]] = {}
    for paragraph in state.paragraphs:
        if paragraph.section is not None:
            by_section.setdefault(paragraph.section, []).append(paragraph)
    closing = state.paragraphs[-1] if state.paragraphs else None
    for key, paragraphs in by_section.items():
        if key in state.has_child or not _is_work_section(state, key):
            continue
        keyed = [bool(_key_phrase(p.text)) for p in paragraphs]
        start = keyed.index(True) if any(keyed) else 0
        chosen = [p for p in paragraphs[start:] if not (p is closing and p.text.endswith(("!", "!")))]
        for position, paragraph in enumerate(chosen, start=1):
            state.items.append(
                ParsedItem(
                    kind=TASK,
                    number=_item_number(paragraph.text, position),
                    section=key,
                    title=_title_of(paragraph.text),
                    text=paragraph.text,
                    source_lines=(paragraph.first, paragraph.last),
                )
            )

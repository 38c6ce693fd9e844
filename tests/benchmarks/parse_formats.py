"""Benchmark: parse a generated 2,000-item division document in every format (issue 9).

Run: .venv/bin/python tests/benchmarks/parse_formats.py [--items 2000]
Each format is parsed in a child process of its own, so the peak memory reported (ru_maxrss, the
whole process including the interpreter and libraries) belongs to that format alone; tracemalloc's peak
(Python allocations only) is printed beside it. Goal (BRIEF §6): under 5 s and under 200 MB each.
Prints figures; asserts nothing. LibreOffice builds the .pdf/.doc/.xls inputs (not timed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

UNITS = ["市发展改革委", "市财政局", "市工信委", "市商务局", "市住房城乡建设委", "市交通局", "各县(市、区)人民政府"]


def _task(n: int) -> tuple[str, str, str, str]:
    lead = UNITS[n % len(UNITS)]
    cooperating = "、".join(UNITS[(n + k) % len(UNITS)] for k in (1, 2, 3))
    text = f"推进第{n}项重点工作,完善工作机制,加强统筹协调,确保按期完成建设任务,{2021 + n % 3}年{1 + n % 12}月底前完成"
    return text, lead, cooperating, f"{2021 + n % 3}年底前"


def unit_lines(items: int) -> list[str]:
    lines = ["营口市推进重点工作三年行动方案(2021—2023年)任务分工", "一、重点任务"]
    for n in range(1, items + 1):
        if n % 100 == 1:
            lines.append(f"({'一二三四五六七八九十'[(n // 100) % 10]})第{n // 100 + 1}组任务")
        text, lead, cooperating, _ = _task(n)
        lines += [f"{n}.{text}。", f"牵头单位:{lead}", f"配合单位:{cooperating}"]
    lines += ["二、工作要求", "各牵头单位每季度最后一个月25日前将进展情况报送市发展改革委。"]
    return lines


def build_txt(items: int) -> bytes:
    return "\n".join(unit_lines(items)).encode("utf-8")


def build_docx(items: int) -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph("营口市2022年重点工作任务分工")
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"  # ruled, as division tables are; the PDF reader finds tables by their rules
    for cell, label in zip(table.rows[0].cells, ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"], strict=True):
        cell.text = label
    for n in range(1, items + 1):
        if n % 100 == 1:
            row = table.add_row()
            merged = row.cells[0].merge(row.cells[-1])
            merged.text = f"{'一二三四五六七八九十'[(n // 100) % 10]}、第{n // 100 + 1}组任务"
        text, lead, cooperating, deadline = _task(n)
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text, cells[3].text, cells[4].text = (
            "",
            text,
            lead,
            cooperating,
            deadline,
        )
    document.add_paragraph("各牵头单位每月25日前将当月工作进展情况报送至市发展改革委。")
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def build_paragraph_docx(items: int) -> bytes:
    from docx import Document

    document = Document()
    for line in unit_lines(items):
        document.add_paragraph(line)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def build_html(items: int) -> bytes:
    body = "\n".join(f"<p>{line}</p>" for line in unit_lines(items))
    page = (
        '<!DOCTYPE html><html><head><meta charset="gbk"><title>任务分工_营口市人民政府</title></head><body>'
        '<div class="nav"><a>首页</a><a>政务公开</a></div><div class="position">当前位置:首页 &gt; 政策文件</div>'
        f'<div class="TRS_Editor">{body}</div><div class="footer">版权所有 营口市人民政府</div></body></html>'
    )
    return page.encode("gb18030")


def build_xlsx(items: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["营口市2021—2023年重点任务分工表"])
    sheet.merge_cells("A1:E1")
    sheet.append(["序号", "重点任务", "责任单位", None, "完成时限"])
    sheet.append([None, None, "牵头单位", "配合单位", None])
    sheet.merge_cells("C2:D2")
    for n in range(1, items + 1):
        if n % 100 == 1:
            sheet.append([f"{'一二三四五六七八九十'[(n // 100) % 10]}、第{n // 100 + 1}组任务"])
            sheet.merge_cells(f"A{sheet.max_row}:E{sheet.max_row}")
        text, lead, cooperating, deadline = _task(n)
        sheet.append([n, text, lead, cooperating, deadline])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def child(path: str) -> None:
    """Parse one file and print its figures as JSON (runs in a fresh process)."""
    from tasks_app.parsing.convert import convert_document
    from tasks_app.parsing.document import parse_bytes

    data = Path(path).read_bytes()
    converted: list[float] = []

    def doc_to_docx(doc: bytes) -> bytes:
        started = time.perf_counter()
        result = convert_document(doc, suffix=".doc", target="docx", timeout=600)
        converted.append(time.perf_counter() - started)
        return result

    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    doc = parse_bytes(data, filename=Path(path).name, max_bytes=200 * 1024 * 1024, doc_converter=doc_to_docx)
    elapsed = time.perf_counter() - started
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # A second, traced run gives the Python allocations' peak (tracemalloc slows the run, so it is not timed).
    tracemalloc.start()
    parse_bytes(data, filename=Path(path).name, max_bytes=200 * 1024 * 1024, doc_converter=doc_to_docx)
    _, peak = tracemalloc.get_traced_memory()
    print(json.dumps({"seconds": elapsed, "convert_seconds": converted[0] if converted else 0.0,
                      "python_peak_mb": peak / 2**20, "max_rss_mb": rss_kb / 1024, "baseline_mb": baseline_kb / 1024,
                      "items": len(doc.items), "format": doc.format}))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--child")
    parser.add_argument("--inputs", help="directory to keep the generated inputs in and reuse them from")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    from tasks_app.parsing.convert import convert_document

    with tempfile.TemporaryDirectory() as scratch:
        work = args.inputs or scratch
        Path(work).mkdir(parents=True, exist_ok=True)
        builders = {
            "notice.txt": lambda: build_txt(args.items),
            "table.docx": lambda: build_docx(args.items),
            "paragraphs.docx": lambda: build_paragraph_docx(args.items),
            "page.html": lambda: build_html(args.items),
            "table.xlsx": lambda: build_xlsx(args.items),
        }
        conversions = {
            "paragraphs.pdf": ("paragraphs.docx", "pdf"),
            "table.pdf": ("table.docx", "pdf"),
            "table.doc": ("table.docx", "doc"),
            "table.xls": ("table.xlsx", "xls"),
        }
        files: dict[str, bytes] = {}
        started = time.perf_counter()
        for name in [*builders, *conversions]:
            kept = Path(work) / f"{args.items}-{name}"
            if not kept.exists():
                if name in builders:
                    data = builders[name]()
                else:
                    source, target = conversions[name]
                    suffix = "." + source.rsplit(".", 1)[1]
                    data = convert_document(files[source], suffix=suffix, target=target, timeout=1800)
                kept.write_bytes(data)
            files[name] = kept.read_bytes()
        print(f"(inputs ready in {time.perf_counter() - started:.1f} s; LibreOffice built pdf/doc/xls; not timed)")
        print(
            f"{'file':<18}{'format':<8}{'items':>6}{'parse s':>10}{'soffice s':>11}{'max RSS MB':>12}"
            f"{'py peak MB':>12}{'size KB':>10}"
        )
        for name, data in files.items():
            path = Path(scratch) / name
            path.write_bytes(data)
            proc = subprocess.run(
                [sys.executable, __file__, "--child", str(path)],
                capture_output=True, text=True, check=False, cwd=ROOT, env={**os.environ},
            )  # fmt: skip
            if proc.returncode != 0:
                print(f"{name:<18}failed: {proc.stderr.strip().splitlines()[-1:]}")
                continue
            row = json.loads(proc.stdout.strip().splitlines()[-1])
            print(
                f"{name:<18}{row['format']:<8}{row['items']:>6}{row['seconds']:>10.2f}{row['convert_seconds']:>11.2f}"
                f"{row['max_rss_mb']:>12.0f}"
                f"{row['python_peak_mb']:>12.0f}{len(data) / 1024:>10.0f}"
            )
        print(
            "(max RSS is the whole child process: interpreter and libraries included, baseline ~50 MB before parsing;"
        )
        print(" .doc parse time includes its LibreOffice conversion to .docx, shown separately)")


if __name__ == "__main__":
    main()

"""The Word reports' charts as PNG (matplotlib, Agg, no pyplot state): the status bar per chapter and each
binding indicator's path vs actuals: the same numbers the console's SVG draws (web.charts.series).

matplotlib (pinned in requirements.txt) is a maintained library that rasterises text with a named font file,
so CJK labels render without a browser or an SVG converter. The font is an installed CJK font found with
fc-list (Noto Serif/Sans CJK, WenQuanYi); none is downloaded or embedded in the repo. Without one the
report is written without charts.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from functools import cache
from io import BytesIO

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from tasks_app.rules.indicators import PATH_STATUSES, IndicatorProgress
from tasks_app.web.charts import series

logger = logging.getLogger(__name__)
PREFERRED = ("Noto Serif CJK SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei")
COLOURS = {
    "提前实现": "#2e7d32",
    "快于预期": "#66bb6a",
    "基本符合预期": "#5c8dd6",
    "滞后": "#c62828",
    "待定": "#f5c26b",
    "无统计": "#cfd6df",
}
DPI = 120  # sharp at the printed width (14–15 cm), and cheap to rasterise


@cache
def cjk_font_file() -> str | None:
    """The file of an installed CJK font (fc-list), preferring PREFERRED in order; None when there is none."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listing = subprocess.run(
            [fc_list, ":lang=zh", "file", "family"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    fonts: list[tuple[str, list[str]]] = []
    for line in listing.splitlines():
        path, _, names = line.partition(":")
        fonts.append((path.strip(), [name.strip() for name in names.split(",")]))
    for wanted in PREFERRED:
        for path, families in fonts:
            if wanted in families:
                return path
    return fonts[0][0] if fonts else None


def _png(figure: Figure) -> bytes:
    buffer = BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def chapter_status_png(chapters: list[tuple[str, dict[str, int]]]) -> bytes | None:
    """Horizontal stacked bars: per chapter, how many indicators have each path status."""
    font = cjk_font_file()
    if font is None or not chapters:
        return None
    props = FontProperties(fname=font, size=9)
    figure = Figure(figsize=(6.2, 0.45 * len(chapters) + 1.1), dpi=DPI)
    axes = figure.add_subplot()
    labels = [label[:16] for label, _ in chapters][::-1]
    left = [0] * len(chapters)
    for status in PATH_STATUSES:
        counts = [c.get(status, 0) for _, c in chapters][::-1]
        if any(counts):
            axes.barh(labels, counts, left=left, color=COLOURS[status], label=status, height=0.6)
            left = [a + b for a, b in zip(left, counts, strict=True)]
    axes.set_yticks(range(len(labels)), labels, fontproperties=props)
    axes.set_xlabel("指标数", fontproperties=props)
    axes.legend(prop=props, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.45), frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.subplots_adjust(left=0.3, right=0.97, top=0.95, bottom=0.35)  # fixed: tight_layout costs ~0.25 s
    return _png(figure)


def path_png(title: str, track: IndicatorProgress) -> bytes | None:
    """One indicator: the path (dashed) and the actuals (solid, red where 滞后)."""
    font = cjk_font_file()
    years, expected, actual = series(track)
    if font is None or not any(v is not None for v in expected + actual):
        return None
    props = FontProperties(fname=font, size=9)
    figure = Figure(figsize=(6.2, 2.6), dpi=DPI)
    axes = figure.add_subplot()
    path = [(y, v) for y, v in zip(years, expected, strict=True) if v is not None]
    if path:
        axes.plot(*zip(*path, strict=True), linestyle="--", color=COLOURS["基本符合预期"], marker="o", label="序时进度")
    points = [(p.year, p.actual, p.status) for p in track.points if p.actual is not None]
    if points:
        axes.plot([y for y, _, _ in points], [v for _, v, _ in points], color="#222222", label="实际值")
        for year, value, status in points:
            axes.scatter([year], [value], color=COLOURS.get(status, "#222222"), zorder=3)
    axes.set_xticks(years, [str(y) for y in years], fontproperties=props)
    axes.set_title(title[:30], fontproperties=props)
    axes.legend(prop=props, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.subplots_adjust(left=0.1, right=0.97, top=0.88, bottom=0.12)
    return _png(figure)

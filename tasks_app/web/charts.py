"""Server-rendered SVG charts of the monitoring pages: numbers → coordinates only (the templates draw them),
so no chart library and nothing inline for the CSP to refuse. Pure: no Django."""

from __future__ import annotations

from dataclasses import dataclass

from tasks_app.rules.indicators import PATH_STATUSES, IndicatorProgress

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 36


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    year: int
    value: float
    status: str = ""


@dataclass(frozen=True)
class LineChart:
    path: str  # the polyline "x,y x,y …" of the expected values
    dots: list[Dot]  # the actuals (number judged each year)
    path_dots: list[Dot]
    x_ticks: list[tuple[float, int]]
    y_ticks: list[tuple[float, str]]
    width: int = WIDTH
    height: int = HEIGHT
    plot_bottom: float = HEIGHT - BOTTOM
    plot_left: float = LEFT

    @property
    def actual_path(self) -> str:
        return " ".join(f"{d.x:.1f},{d.y:.1f}" for d in self.dots)


def series(track: IndicatorProgress) -> tuple[list[int], list[float | None], list[float | None]]:
    """(years, expected, actual) of a path, the same numbers the SVG and the Word report's PNG draw."""
    years = [p.year for p in track.points]
    return years, [p.expected for p in track.points], [p.actual for p in track.points]


def _nice(low: float, high: float) -> tuple[float, float]:
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        return low - pad, high + pad
    pad = (high - low) * 0.08
    return low - pad, high + pad


def line_chart(track: IndicatorProgress) -> LineChart | None:
    """The path (expected values) and the actuals of one indicator; None when there is nothing to draw."""
    years, expected, actual = series(track)
    values = [v for v in expected + actual if v is not None]
    if not years or not values:
        return None
    low, high = _nice(min(values), max(values))
    span_x = max(len(years) - 1, 1)

    def x(i: int) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * i / span_x

    def y(v: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (high - v) / (high - low)

    path_dots = [Dot(x(i), y(v), years[i], v) for i, v in enumerate(expected) if v is not None]
    statuses = [p.status for p in track.points]
    dots = [Dot(x(i), y(v), years[i], v, statuses[i]) for i, v in enumerate(actual) if v is not None]
    y_ticks = [(y(low + (high - low) * k / 4), f"{low + (high - low) * k / 4:.4g}") for k in range(5)]
    return LineChart(
        path=" ".join(f"{d.x:.1f},{d.y:.1f}" for d in path_dots),
        dots=dots,
        path_dots=path_dots,
        x_ticks=[(x(i), year) for i, year in enumerate(years)],
        y_ticks=y_ticks,
    )


@dataclass(frozen=True)
class Segment:
    status: str
    count: int
    x: float  # percent
    width: float  # percent


def status_segments(counts: dict[str, int]) -> list[Segment]:
    """A stacked bar (percent widths) of path statuses in PATH_STATUSES order; empty when no indicator."""
    total = sum(counts.values())
    found, x = [], 0.0
    for status in PATH_STATUSES:
        count = counts.get(status, 0)
        if total and count:
            width = 100 * count / total
            found.append(Segment(status, count, round(x, 2), round(width, 2)))
            x += width
    return found

"""A report that exists only in tests: registered by the ``throwaway_exporter`` fixture (conftest.py), it
proves that one class in the registry is all a new report needs."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from tasks_app.exporters import Column, CyclePolicy, Exporter
from tasks_app.exporters.base import Row

HEADER = ["序号", "内容", "周期"]
ROWS = 3


class ThrowawayExporter(Exporter):
    identifier = "throwaway"
    verbose_name = "临时测试报表"
    description = "仅供测试注册"
    sheet_name = "临时"
    cycle_policy = CyclePolicy.OPTIONAL

    @classmethod
    def estimate_rows(cls, *, plan: Any) -> int:
        return ROWS

    def get_columns(self) -> Sequence[Column]:
        return [Column(header, 12) for header in HEADER]

    def iterate_list(self) -> Iterator[Row]:
        yield self.header()
        year = self.cycle.year if self.cycle is not None else "无"
        for number in range(1, ROWS + 1):
            yield [number, f"-第{number}行", year]

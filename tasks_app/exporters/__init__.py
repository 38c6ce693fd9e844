"""Excel exports (pretix-style): one Exporter class per report, all streamed through ``base.write_workbook``."""

from .base import Column, Exporter, ExportResult, Heading, safe_cell, write_workbook
from .division import DivisionExporter, ProgressExporter
from .indicators import IndicatorExporter, UnitWorkloadExporter

EXPORTERS: dict[str, type[Exporter]] = {
    exporter.identifier: exporter
    for exporter in (DivisionExporter, ProgressExporter, IndicatorExporter, UnitWorkloadExporter)
}

__all__ = [
    "EXPORTERS",
    "Column",
    "DivisionExporter",
    "ExportResult",
    "Exporter",
    "Heading",
    "IndicatorExporter",
    "ProgressExporter",
    "UnitWorkloadExporter",
    "safe_cell",
    "write_workbook",
]

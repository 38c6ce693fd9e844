"""Excel exports (pretix-style): one Exporter class per report, listed in ``registry``, all streamed through
``base.write_workbook``. Adding a report: write its class (and its test), register it below."""

from .base import Column, CyclePolicy, Exporter, ExportResult, Heading, safe_cell, write_workbook
from .division import DivisionExporter, ProgressExporter
from .evaluation import EVALUATION_EXPORTERS
from .indicators import IndicatorExporter, UnitWorkloadExporter
from .registry import ExporterRegistry, register_exporter, registry
from .scoring import ScoringExporter

for _exporter in (
    DivisionExporter,
    ProgressExporter,
    IndicatorExporter,
    UnitWorkloadExporter,
    *EVALUATION_EXPORTERS,
    ScoringExporter,
):
    register_exporter(_exporter)

__all__ = [
    "Column",
    "CyclePolicy",
    "DivisionExporter",
    "ExportResult",
    "Exporter",
    "ExporterRegistry",
    "Heading",
    "IndicatorExporter",
    "ProgressExporter",
    "ScoringExporter",
    "UnitWorkloadExporter",
    "register_exporter",
    "registry",
    "safe_cell",
    "write_workbook",
]

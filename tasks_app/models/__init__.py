from .org import Jurisdiction, Membership, OfficeRole, Unit, UnitAlias
from .plans import (
    Assignment,
    Evaluation,
    IndicatorActual,
    IndicatorDetail,
    Milestone,
    Plan,
    ReportingCycle,
    Section,
    SourceDocument,
    WorkItem,
)

__all__ = [
    "Assignment",
    "Evaluation",
    "IndicatorActual",
    "IndicatorDetail",
    "Jurisdiction",
    "Membership",
    "Milestone",
    "OfficeRole",
    "Plan",
    "ReportingCycle",
    "Section",
    "SourceDocument",
    "Unit",
    "UnitAlias",
    "WorkItem",
]

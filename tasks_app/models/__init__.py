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
from .reminders import ReminderMessage
from .reports import Contribution, Evidence, Report, ReportVersion

__all__ = [
    "Assignment",
    "Contribution",
    "Evaluation",
    "Evidence",
    "IndicatorActual",
    "IndicatorDetail",
    "Jurisdiction",
    "Membership",
    "Milestone",
    "OfficeRole",
    "Plan",
    "ReminderMessage",
    "Report",
    "ReportVersion",
    "ReportingCycle",
    "Section",
    "SourceDocument",
    "Unit",
    "UnitAlias",
    "WorkItem",
]

from .accounts import AccountState
from .audit import AuditEntry
from .channels import Channel
from .exports import ExportJob
from .imports import ImportJob
from .monitoring import EvaluationText, IndicatorTarget, MonitoringSettings
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
from .successions import UnitSuccession
from .suggestions import SuggestedAssignment
from .unlocks import CycleUnlock
from .workflow import WorkflowRequest

__all__ = [
    "AccountState",
    "Assignment",
    "AuditEntry",
    "Channel",
    "Contribution",
    "CycleUnlock",
    "Evaluation",
    "EvaluationText",
    "Evidence",
    "ExportJob",
    "ImportJob",
    "IndicatorActual",
    "IndicatorDetail",
    "IndicatorTarget",
    "Jurisdiction",
    "Membership",
    "Milestone",
    "MonitoringSettings",
    "OfficeRole",
    "Plan",
    "ReminderMessage",
    "Report",
    "ReportVersion",
    "ReportingCycle",
    "Section",
    "SourceDocument",
    "SuggestedAssignment",
    "Unit",
    "UnitAlias",
    "UnitSuccession",
    "WorkItem",
    "WorkflowRequest",
]

"""What each kind of user may do: named capabilities, the role table, and the one gate rule.

Pure Python (no ORM): tasks_app.access binds a user to their capabilities; the web decorator, the DRF
permission class, the console navigation and the services all ask the functions here, so a page, its
navigation link and the service behind it can never disagree.

The gate rule, for a view that declares a read capability and optionally a write capability:
- a console capability the user does not hold while the user cannot open the console at all → the
  page is hidden (404): unit staff are never told the console exists;
- otherwise a missing read capability → forbidden (403);
- an unsafe method (POST, PUT, PATCH, DELETE) needs the write capability as well; a view that declares
  none changes nothing, so every write to it is forbidden (403; leadership's writes land here too).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Capability(StrEnum):
    """One thing a user may do. The value is the name templates and the docs use (``can.review``)."""

    VIEW_CONSOLE = "view_console"  # open the planning-office console and read every page of it
    VIEW_AUDIT = "view_audit"  # read the audit log
    REVIEW = "review"  # approve and return reports
    MANAGE_CYCLES = "manage_cycles"  # open and close reporting cycles, move their due dates
    EXPORT = "export"  # start export jobs (a job stores a file; reading jobs is VIEW_CONSOLE)
    MANAGE_OUTBOX = "manage_outbox"  # send reminders now, retry failed ones
    EDIT_DIVISION = "edit_division"  # change items and their units, decide the assistant's proposals
    MANAGE_UNITS = "manage_units"  # edit, confirm and merge units, import contacts
    IMPORT_DOCUMENTS = "import_documents"  # import plans and division notices in the console
    MANAGE_ACCOUNTS = "manage_accounts"  # create units' staff logins with a first password
    DECIDE_WORKFLOW = "decide_workflow"  # decide bounces and extensions, close (销号) and reopen items
    FILE_REPORTS = "file_reports"  # a unit's staff: write reports and contributions (on their own items)
    # a unit's head (单位负责人): sign staff's reports off to the office, or return them with a reason
    SIGN_OFF_REPORTS = "sign_off_reports"


# Who holds what. A new capability is one member above plus its line(s) here (docs/architecture.md).
READ_ONLY: frozenset[Capability] = frozenset({Capability.VIEW_CONSOLE, Capability.VIEW_AUDIT})
# Unit work happens outside the console: an office never holds these (a user may hold both through memberships).
UNIT_WORK: frozenset[Capability] = frozenset({Capability.FILE_REPORTS, Capability.SIGN_OFF_REPORTS})
OFFICE_ADMIN: frozenset[Capability] = frozenset(Capability) - UNIT_WORK
OFFICE_REVIEWER: frozenset[Capability] = READ_ONLY | {
    Capability.REVIEW,
    Capability.MANAGE_CYCLES,
    Capability.EXPORT,
    Capability.MANAGE_OUTBOX,
    Capability.DECIDE_WORKFLOW,
}
UNIT_STAFF: frozenset[Capability] = frozenset({Capability.FILE_REPORTS})
UNIT_HEAD: frozenset[Capability] = UNIT_STAFF | {Capability.SIGN_OFF_REPORTS}  # a head files like staff, and signs off

# OfficeRole.Role values (kept as strings so this module imports nothing from Django).
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    "admin": OFFICE_ADMIN,
    "reviewer": OFFICE_REVIEWER,
    "leadership": READ_ONLY,
}

# Only units' own work lives outside the console; everything else is a console capability.
CONSOLE = frozenset(Capability) - UNIT_WORK

READ_ONLY_MESSAGE = "领导账号为只读账号,不能修改数据"
HIDDEN_MESSAGE = "不存在或不在您的权限范围内"
MESSAGES: dict[Capability, str] = {
    Capability.VIEW_CONSOLE: "只有规划办可以查看",
    Capability.VIEW_AUDIT: "您无权查看操作日志",
    Capability.REVIEW: "只有规划办审核人员可以审核报告",
    Capability.MANAGE_CYCLES: "只有规划办审核人员可以管理报送周期",
    Capability.EXPORT: "只有规划办审核人员可以生成导出文件",
    Capability.MANAGE_OUTBOX: "只有规划办审核人员可以发送提醒",
    Capability.EDIT_DIVISION: "只有规划办管理员可以修改分工",
    Capability.MANAGE_UNITS: "只有规划办管理员可以修改分工和单位",
    Capability.IMPORT_DOCUMENTS: "只有规划办管理员可以导入文件",
    Capability.MANAGE_ACCOUNTS: "只有规划办管理员可以管理单位账号",
    Capability.DECIDE_WORKFLOW: "只有规划办审核人员可以处理退回分工、延期申请和销号",
    Capability.FILE_REPORTS: "只有事项的填报单位可以填报",
    Capability.SIGN_OFF_REPORTS: "只有单位负责人可以审核本单位的报告",
}
NO_WRITES_MESSAGE = "该页面不能修改数据"


def capabilities_for(role: str | None, *, has_units: bool, heads_units: bool = False) -> frozenset[Capability]:
    """The capabilities of a user with this office role (None: none) and, if has_units, unit memberships
    (``heads_units``: one of them as the unit's head)."""
    held = ROLE_CAPABILITIES.get(role or "", frozenset())
    if heads_units:
        return held | UNIT_HEAD
    return held | UNIT_STAFF if has_units else held


def lands_on_console(held: Iterable[Capability]) -> bool:
    """Where a user starts after signing in: the console for whoever may open it, else 我的任务."""
    return Capability.VIEW_CONSOLE in frozenset(held)


def is_read_only(held: Iterable[Capability]) -> bool:
    """Opens the console but may change nothing there (leadership)."""
    held = frozenset(held)
    return Capability.VIEW_CONSOLE in held and held <= READ_ONLY


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused: hidden (answer 404, the object or page does not exist for this user) or
    forbidden (403), with the sentence to show."""

    hidden: bool
    message: str


def refusal_message(held: frozenset[Capability], capability: Capability) -> str:
    return READ_ONLY_MESSAGE if is_read_only(held) else MESSAGES[capability]


def refusal(held: frozenset[Capability], capability: Capability) -> Refusal | None:
    """None when ``held`` includes ``capability``; otherwise how to refuse (see the module docstring)."""
    if capability in held:
        return None
    if capability in CONSOLE and Capability.VIEW_CONSOLE not in held:
        return Refusal(hidden=True, message=HIDDEN_MESSAGE)
    return Refusal(hidden=False, message=refusal_message(held, capability))


def gate(
    held: frozenset[Capability], *, method: str, read: Capability | None, write: Capability | None
) -> Refusal | None:
    """The decision for one request to a view declaring ``read`` (None: any signed-in user) and ``write``."""
    if read is not None and (refused := refusal(held, read)):
        return refused
    if method.upper() in SAFE_METHODS:
        return None
    if write is None:
        return Refusal(hidden=False, message=READ_ONLY_MESSAGE if is_read_only(held) else NO_WRITES_MESSAGE)
    return refusal(held, write)

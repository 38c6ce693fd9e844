"""Django admin (系统管理, superusers only: planner/urls.py): inspect every imported record and where it came from.

What the console's services own (plans and their cycles, reports, export jobs, the outbox, the audit log) is
read-only here: opening a cycle, approving a report or starting an export must go through the service that
checks, locks and audits it (tasks_app.services), never around it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from tasks_app.models import (
    Assignment,
    AuditEntry,
    Contribution,
    Evaluation,
    Evidence,
    ExportJob,
    IndicatorActual,
    IndicatorDetail,
    Jurisdiction,
    Membership,
    Milestone,
    OfficeRole,
    Plan,
    ReminderMessage,
    Report,
    ReportingCycle,
    ReportVersion,
    Section,
    SourceDocument,
    SuggestedAssignment,
    Unit,
    UnitAlias,
    WorkItem,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _AssignmentCount(TypedDict):
    """The annotation ``UnitAdmin.get_queryset`` adds to every unit row."""

    n: int


class ServiceOwned:
    """Read-only: these rows change only through tasks_app.services (the console and the API)."""

    def has_add_permission(self, request, obj=None) -> bool:  # obj: the signature inlines are called with
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ServiceOwnedAdmin(ServiceOwned, admin.ModelAdmin):
    pass


class ServiceOwnedInline(ServiceOwned, admin.TabularInline):
    pass


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "parent"]
    search_fields = ["name"]


class UnitAliasInline(admin.TabularInline):
    model = UnitAlias
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "jurisdiction", "kind", "needs_review", "assignment_count"]
    list_filter = ["jurisdiction", "kind", "needs_review"]
    search_fields = ["name", "aliases__name"]
    filter_horizontal = ["members"]
    inlines = [UnitAliasInline]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).select_related("jurisdiction").annotate(n=Count("assignments"))

    @admin.display(description="分工数", ordering="n")
    def assignment_count(self, obj: WithAnnotations[Unit, _AssignmentCount]) -> int:
        return obj.n


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "file_name", "doc_number", "issued", "layout", "imported_at"]
    search_fields = ["title", "file_name", "doc_number"]
    readonly_fields = ["sha256", "imported_at"]


class CycleInline(ServiceOwnedInline):
    model = ReportingCycle
    extra = 0
    fields = ["year", "due_date", "status"]


@admin.register(Plan)
class PlanAdmin(ServiceOwnedAdmin):
    list_display = ["title", "jurisdiction", "kind", "period_start", "period_end", "reporting_rule"]
    list_filter = ["kind", "jurisdiction"]
    search_fields = ["title"]
    inlines = [CycleInline]

    @admin.display(description="报送要求")
    def reporting_rule(self, obj: Plan) -> str:
        if not obj.reporting_month:
            return "—"
        return f"{obj.reporting_month}月{obj.reporting_day}日前 → {obj.reporting_recipient or ''}"


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "key", "level", "line_start", "line_end"]
    list_filter = ["plan", "level"]
    search_fields = ["title", "key"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["unit"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class IndicatorInline(admin.StackedInline):
    model = IndicatorDetail
    extra = 0


@admin.register(WorkItem)
class WorkItemAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "kind",
        "number",
        "plan",
        "section",
        "deadline",
        "deadline_defaulted",
        "lines",
        "units",
    ]
    list_filter = ["plan", "kind", "deadline_defaulted", "and_others", "is_active"]
    search_fields = ["title", "text", "assignments__unit__name"]
    list_select_related = ["plan", "section"]
    readonly_fields = ["source_excerpt", "fingerprint"]
    inlines = [AssignmentInline, MilestoneInline, IndicatorInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("assignments__unit")

    @admin.display(description="来源行")
    def lines(self, obj: WorkItem) -> str:
        return f"{obj.line_start}–{obj.line_end}"

    @admin.display(description="单位")
    def units(self, obj: WorkItem) -> str:
        return "、".join(f"{a.unit.name}({a.get_role_display()[:2]})" for a in obj.assignments.all())

    @admin.display(description="来源原文")
    def source_excerpt(self, obj: WorkItem) -> str:
        rows = obj.plan.source.lines(obj.line_start, obj.line_end)
        return format_html(
            "<pre style='white-space:pre-wrap'>{}</pre>",
            format_html_join("\n", "{:>5} | {}", rows),
        )


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["item", "unit", "role", "raw_name", "and_others"]
    list_filter = ["role", "and_others", "item__plan"]
    search_fields = ["unit__name", "raw_name", "item__title"]
    list_select_related = ["item", "unit"]
    raw_id_fields = ["item"]
    autocomplete_fields = ["unit"]


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["name", "plan", "category", "target_text", "actual_text", "status"]
    list_filter = ["plan", "status"]
    search_fields = ["name"]


@admin.register(ReportingCycle)
class ReportingCycleAdmin(ServiceOwnedAdmin):
    list_display = ["plan", "year", "due_date", "status"]
    list_filter = ["status", "plan"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role"]
    search_fields = ["user__username", "unit__name"]
    autocomplete_fields = ["unit"]


@admin.register(OfficeRole)
class OfficeRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "jurisdiction"]
    list_filter = ["role", "jurisdiction"]


_VERSION_FIELDS = ("number", "action", "status", "actor", "reason", "created_at")


class ReportVersionInline(ServiceOwnedInline):
    model = ReportVersion
    extra = 0
    fields = _VERSION_FIELDS
    readonly_fields = _VERSION_FIELDS
    can_delete = False


@admin.register(Report)
class ReportAdmin(ServiceOwnedAdmin):
    list_display = ["item", "unit", "cycle", "status", "progress_status", "version", "submitted_at"]
    list_filter = ["status", "progress_status", "cycle__plan", "cycle__year"]
    search_fields = ["item__title", "unit__name", "progress"]
    list_select_related = ["item", "unit", "cycle", "cycle__plan"]
    raw_id_fields = ["item"]
    readonly_fields = ["version", "created_at", "updated_at", "submitted_at", "reviewed_at"]
    inlines = [ReportVersionInline]


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["item", "unit", "cycle", "status", "updated_at"]
    list_filter = ["status", "cycle__plan"]
    search_fields = ["item__title", "unit__name", "text"]
    list_select_related = ["item", "unit", "cycle"]
    raw_id_fields = ["item"]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "report", "size", "content_type", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name"]
    raw_id_fields = ["report"]


@admin.register(ReminderMessage)
class ReminderMessageAdmin(ServiceOwnedAdmin):
    list_display = ["subject", "unit", "kind", "days", "channel", "status", "attempts", "sent_at", "created_at"]
    list_filter = ["status", "kind", "channel", "cycle__plan"]
    search_fields = ["unit__name", "subject", "key"]
    list_select_related = ["unit", "cycle"]
    readonly_fields = ["key", "batch", "attempts", "last_error", "claimed_at", "sent_at", "created_at"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ServiceOwnedAdmin):
    list_display = ["at", "actor", "action", "summary", "plan"]
    list_filter = ["action", "plan"]
    search_fields = ["summary"]
    readonly_fields = ["actor", "at", "action", "plan", "object_type", "object_id", "summary", "before", "after"]


@admin.register(ExportJob)
class ExportJobAdmin(ServiceOwnedAdmin):
    list_display = ["plan", "report", "year", "status", "progress", "total", "created_by", "created_at"]
    list_filter = ["status", "report"]


@admin.register(SuggestedAssignment)
class SuggestedAssignmentAdmin(admin.ModelAdmin):
    list_display = ["item", "unit", "role", "rank", "score", "status", "decided_by"]
    list_filter = ["status", "role", "item__plan"]
    search_fields = ["item__title", "unit__name"]
    list_select_related = ["item", "unit"]
    raw_id_fields = ["item"]


@admin.register(IndicatorActual)
class IndicatorActualAdmin(admin.ModelAdmin):
    list_display = ["item", "year", "value_text", "value", "recorded_at"]
    list_filter = ["year", "item__plan"]
    raw_id_fields = ["item"]

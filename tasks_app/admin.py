"""Django admin: lets the planning office inspect every imported record and where it came from."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from tasks_app.models import (
    Assignment,
    Evaluation,
    IndicatorDetail,
    Jurisdiction,
    Membership,
    Milestone,
    OfficeRole,
    Plan,
    ReportingCycle,
    Section,
    SourceDocument,
    Unit,
    UnitAlias,
    WorkItem,
)


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
    def assignment_count(self, obj: Unit) -> int:
        return obj.n


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "file_name", "doc_number", "issued", "layout", "imported_at"]
    search_fields = ["title", "file_name", "doc_number"]
    readonly_fields = ["sha256", "imported_at"]


class CycleInline(admin.TabularInline):
    model = ReportingCycle
    extra = 0
    fields = ["year", "due_date", "status"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
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
class ReportingCycleAdmin(admin.ModelAdmin):
    list_display = ["plan", "year", "due_date", "status"]
    list_filter = ["status", "plan"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role"]
    search_fields = ["user__username", "unit__name"]
    autocomplete_fields = ["unit"]


@admin.register(OfficeRole)
class OfficeRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role"]

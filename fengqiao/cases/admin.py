"""Cases in the administration: read-only. Cases change only through the lifecycle services,
and the timeline (CaseEvent) is append-only, so nothing here adds, edits or deletes."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.catalogue import category_save
from fengqiao.cases.models import Case, CaseEvent, Category


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ["seq", "at", "action", "actor", "actor_unit", "from_status", "to_status", "reason", "is_public"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["seq"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    # Parties (names, phones, ID numbers) are left out on purpose: personal data is read on the
    # case page, where each reveal goes on the timeline.
    list_display = [
        "code",
        "title",
        "grade",
        "status",
        "service_type",
        "region",
        "holder_unit",
        "due_at",
        "submitted_at",
    ]
    list_filter = ["status", "grade", "service_type", "channel"]
    search_fields = ["code", "title"]
    date_hierarchy = "submitted_at"
    list_select_related = ["region", "holder_unit"]
    fields = [
        "code",
        "title",
        "description",
        "service_type",
        "category",
        "grade",
        "grade_reasons",
        "channel",
        "status",
        "region",
        "service_point",
        "holder_unit",
        "assignee",
        "people_count",
        "amount",
        "outcome",
        "satisfaction",
        "reopen_count",
        "due_at",
        "submitted_at",
        "closed_at",
        "source_system",
        "source_id",
        "merged_into",
    ]
    readonly_fields = fields
    inlines = [CaseEventInline]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["case", "seq", "at", "action", "actor", "from_status", "to_status"]
    list_filter = ["action"]
    search_fields = ["case__code"]
    list_select_related = ["case", "actor"]
    date_hierarchy = "at"


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["code", "name", "parent", "default_service_type"]

    def clean(self):
        data = super().clean()
        parent = data.get("parent")
        if parent is not None and self.instance.pk:
            if parent.pk == self.instance.pk:
                self.add_error("parent", _("A category cannot be its own parent."))
            elif self.instance.children.exists():
                self.add_error("parent", _("This category has sub-categories, so it must stay at the first level."))
        return data


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryForm
    list_display = ["code", "name", "parent", "default_service_type"]
    list_filter = ["default_service_type", ("parent", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "parent" in form.base_fields:
            form.base_fields["parent"].queryset = Category.objects.filter(parent__isnull=True)
        return form

    def save_model(self, request, obj, form, change):
        category = category_save(code=obj.code, name=obj.name, parent=obj.parent, service_type=obj.default_service_type)
        obj.pk = category.pk

"""The category catalogue in the administration.

Cases and their timeline are deliberately not in the admin: administrators keep the
organisation and the rules but read no case (separation of duties, LEGAL.md "MLPS level 3");
staff and auditors read cases in the workbench, where every personal-data read is recorded."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.catalogue import category_save
from fengqiao.cases.models import Category


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

"""The core data's own admin pages: departments and who works for which. The evaluation page,
which brings the data, the indicators and the workflow together, is review/admin.py."""

from django import forms
from django.contrib import admin
from django.http import Http404, HttpRequest

from evaluations import access
from evaluations.models import Department, Membership


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ("code", "name", "full_name")
        # The form field checks the code before the model does: give it the model's wording.
        error_messages = {"code": Department._meta.get_field("code").error_messages}


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    form = DepartmentForm
    list_display = ("code", "name", "full_name")
    search_fields = ("code", "name", "full_name")
    search_help_text = "按部门编码、简称或全称搜索"
    ordering = ("code",)

    def get_queryset(self, request: HttpRequest):
        # Also what the evaluation page's department autocomplete offers.
        return access.departments_visible_to(request.user, super().get_queryset(request))

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("没有找到这个部门。")
        return obj

    def has_delete_permission(self, request: HttpRequest, obj: Department | None = None) -> bool:
        # A department is referenced by its evaluations' history for good (who changed what,
        # and the backups that carry it): it may be renamed, never deleted.
        return False

    def save_model(self, request: HttpRequest, obj: Department, form, change: bool) -> None:
        obj.full_clean()
        obj.save()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "department")
    list_filter = ("department",)
    list_select_related = ("user", "department")
    search_fields = ("user__username", "department__name", "department__code")
    search_help_text = "按用户名、部门简称或编码搜索"
    autocomplete_fields = ("user", "department")

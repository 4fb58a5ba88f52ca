"""The core data's own admin pages: departments, who works for which, and the accounts. The
evaluation page, which brings the data, the indicators and the workflow together, is
review/admin.py."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UsernameField
from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from evaluations import access, services
from evaluations.models import Department, Membership


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ("code", "name", "full_name", "active")
        # The form field checks the code before the model does: give it the model's wording.
        error_messages = {"code": Department._meta.get_field("code").error_messages}


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    form = DepartmentForm
    list_display = ("code", "name", "full_name", "active")
    list_filter = ("active",)
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


# --- Accounts ------------------------------------------------------------------------------
# A superuser keeps Django's own user pages. Anyone else who may change accounts (the 系统管理员)
# gets a narrow form: username, department, role (填报人员 or 审核人员), active, and a password
# reset; is_staff and the group are set by the service, never posted. Superusers', administrators'
# and other privileged accounts are read-only to them (access.can_manage_account), so nobody
# raises their own powers or takes over a stronger account to act in its name.

User = get_user_model()

ROLE_CHOICES = [(role.value, access.GROUP_NAMES[role]) for role in access.DEPARTMENT_ROLES]
# The strongest first, as access.role_of decides.
ROLE_ORDER = (access.Role.ADMINISTRATOR, access.Role.AUDITOR, access.Role.FILLER)


def _group_names(user: AbstractUser) -> set[str]:
    # .all(): served by the list's prefetch_related("groups").
    return {group.name for group in user.groups.all()}


def _department_role(user: AbstractUser) -> access.Role | None:
    names = _group_names(user)
    return next((r for r in access.DEPARTMENT_ROLES if access.GROUP_NAMES[r] in names), None)


class DepartmentAccountForm(forms.ModelForm):
    department = forms.ModelChoiceField(
        queryset=Department.objects.order_by("code"),
        label="所属部门",
        help_text="填报人员只能查看和填报本部门的自评。",
    )
    role = forms.TypedChoiceField(
        choices=ROLE_CHOICES,
        coerce=access.Role,
        label="角色",
        help_text="填报人员：填报本部门的自评并提交送审。审核人员：查看各部门的自评，退回或审核通过。",
    )

    class Meta:
        model = User
        fields: tuple[str, ...] = ("username", "is_active")
        field_classes = {"username": UsernameField}
        labels = {"username": "用户名", "is_active": "启用"}
        help_texts = {
            "username": "登录时使用。150 个字符以内，只能是字母、数字和 @ . + - _。",
            "is_active": "取消勾选即停用：账号不能再登录，其填报和审核记录照旧保留。",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["department"] = access.department_of(self.instance)
            self.initial["role"] = _department_role(self.instance)

    def clean_role(self) -> access.Role:
        role: access.Role = self.cleaned_data["role"]
        services.role_group(role)  # a clear message if setup_roles has not been run
        return role


class DepartmentAccountCreationForm(DepartmentAccountForm):
    password1 = forms.CharField(
        label="初始密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="再次输入密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="再输入一次，以免输错。",
    )

    class Meta(DepartmentAccountForm.Meta):
        fields = ("username",)

    def clean_password2(self) -> str:
        password1 = self.cleaned_data.get("password1")
        password2: str = self.cleaned_data["password2"]
        if password1 and password1 != password2:
            raise ValidationError("两次输入的密码不一致。", code="password_mismatch")
        return password2

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        password = cleaned.get("password2")
        if password:
            # The validators compare the password with the username, among others.
            try:
                password_validation.validate_password(
                    password, User(username=cleaned.get("username", ""))
                )
            except ValidationError as error:
                self.add_error("password2", error)
        return cleaned


class AccountPasswordForm(AdminPasswordChangeForm):
    """Django's, in Chinese throughout (its warning about disabling password sign-in is not)."""

    usable_password_help_text = (
        "停用后，该账号不能再用密码登录，原密码随之作废；以后可在这里重新设置密码。"
    )

    def __init__(self, user: AbstractUser, *args, **kwargs) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["password1"].label = "新密码"
        self.fields["password2"].label = "再次输入新密码"
        self.fields["password2"].help_text = "再输入一次，以免输错。"
        if "usable_password" in self.fields:
            self.fields["usable_password"].label = "密码登录"
            self.fields["usable_password"].help_text = self.usable_password_help_text


ACCOUNT_ADD_FIELDSETS = (
    (None, {"fields": ("username", "department", "role", "password1", "password2")}),
)
ACCOUNT_FIELDSETS = (
    (None, {"fields": ("username", "password_link")}),
    ("部门与角色", {"fields": ("department", "role", "is_active")}),
    ("登录记录", {"fields": ("last_login", "date_joined")}),
)
# What an administrator sees of an account they may not change: nothing to post.
ACCOUNT_READ_ONLY_FIELDSETS = (
    (None, {"fields": ("username",)}),
    ("部门与角色", {"fields": ("department_display", "role_display", "is_active")}),
    ("登录记录", {"fields": ("last_login", "date_joined")}),
)


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    add_form_template = "admin/auth/user/account_add_form.html"
    change_password_form = AccountPasswordForm
    list_display = ("username", "department_display", "role_display", "is_active", "last_login")
    list_filter = ("is_active", "groups", "membership__department")
    search_fields = ("username", "membership__department__name", "membership__department__code")
    search_help_text = "按用户名、部门简称或编码搜索"
    ordering = ("username",)

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .select_related("membership__department")
            .prefetch_related("groups")
        )

    def get_list_filter(self, request: HttpRequest):
        if request.user.is_superuser:
            return ("is_superuser", "is_staff", *self.list_filter)
        return self.list_filter

    # Who may change which account. Django's password view (`<id>/password/`) asks
    # has_change_permission for the account too, so it answers 403 for the same accounts.

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (
            obj is None or access.can_manage_account(request.user, obj)
        )

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (
            obj is None or access.can_manage_account(request.user, obj)
        )

    # The forms: Django's for a superuser, the narrow ones for everyone else.

    def get_fieldsets(self, request: HttpRequest, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        if obj is None:
            return ACCOUNT_ADD_FIELDSETS
        if access.can_manage_account(request.user, obj):
            return ACCOUNT_FIELDSETS
        return ACCOUNT_READ_ONLY_FIELDSETS

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        if not request.user.is_superuser:
            kwargs["form"] = DepartmentAccountCreationForm if obj is None else DepartmentAccountForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        if obj is None:
            return ()
        return ("password_link", "last_login", "date_joined", "department_display", "role_display")

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        if request.user.is_superuser:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        if change:
            services.department_user_update(
                user=obj,
                username=obj.username,
                department=data["department"],
                role=data["role"],
                is_active=obj.is_active,
            )
        else:
            created = services.department_user_create(
                username=obj.username,
                department=data["department"],
                role=data["role"],
                password=data["password1"],
            )
            # The admin logs the addition and redirects by `obj`: make it the account created.
            obj.pk = created.pk

    @admin.display(description="部门", ordering="membership__department__code")
    def department_display(self, obj: AbstractUser) -> str:
        department = access.department_of(obj)
        return str(department) if department else "—"

    @admin.display(description="角色")
    def role_display(self, obj: AbstractUser) -> str:
        if obj.is_superuser:
            return "超级用户"
        names = _group_names(obj)
        return next(
            (access.GROUP_NAMES[r] for r in ROLE_ORDER if access.GROUP_NAMES[r] in names), "—"
        )

    @admin.display(description="密码")
    def password_link(self, obj: AbstractUser) -> str:
        url = reverse(f"{self.admin_site.name}:auth_user_password_change", args=[obj.pk])
        return format_html('<a class="button" href="{}">重设密码</a>', url)


admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(GroupAdmin):
    """Groups carry permissions: only a superuser sees or changes them. The three roles'
    permissions are set by `setup_roles` (evaluations/roles.py)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

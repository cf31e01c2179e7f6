"""Admin site: accounts and mission structure only, every change through the audited services.

Operational records are deliberately not registered: the admin role has no access to
operational content, and the admin site would bypass the authorization module. Neither are API
tokens (a person's credential: created and revoked by its holder, see ``/api/v1/auth/tokens/``),
role assignments or compartment grants as editable rows: the user page shows them read-only,
and they change only through :mod:`bluebox.core.services`, which refuses self-grants and the
other ways an administrator could reach operational content. Disabling an account, from the
checkbox's replacement actions or in bulk, goes through ``user_disable`` and ends its sessions
and tokens at once. Nothing here deletes: accounts are disabled, structure is kept.
"""

from __future__ import annotations

import contextvars
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bluebox.core import audit, services
from bluebox.core.exceptions import NotPermitted, ServiceError
from bluebox.core.models import CompartmentGrant, RoleAssignment, User

# The person using the admin site, for the password form (Django builds it without a request).
_admin_actor: contextvars.ContextVar[Any] = contextvars.ContextVar("bluebox_admin_actor")

admin.site.unregister(Group)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RoleAssignmentInline(ReadOnlyInline):
    model = RoleAssignment
    fk_name = "user"
    fields = ("role", "mission", "sector", "site", "granted_at")
    readonly_fields = fields


class CompartmentGrantInline(ReadOnlyInline):
    model = CompartmentGrant
    fk_name = "user"
    fields = ("compartment", "mission", "granted_by", "granted_at", "revoked_at")
    readonly_fields = fields


class AuditedPasswordForm(AdminPasswordChangeForm):
    """Sets the password through ``user_password_set``: audited, and a reset of someone else's
    password ends their sessions and tokens and withdraws their operational access."""

    def save(self, commit: bool = True) -> Any:
        password = (
            self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        )
        services.user_password_set(actor=_admin_actor.get(), user=self.user, password=password)
        return self.user


@admin.register(User)
class BlueboxUserAdmin(UserAdmin):
    inlines = [RoleAssignmentInline, CompartmentGrantInline]
    list_display = ("username", "display_name", "is_active", "last_login")
    list_filter = ("is_active", "is_staff")
    change_password_form = AuditedPasswordForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("display_name", "email", "preferred_language")}),
        (
            _("Status"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "credentials_set_by",
                    "last_login",
                    "date_joined",
                )
            },
        ),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
    )
    readonly_fields = (
        "is_active",
        "is_superuser",
        "credentials_set_by",
        "last_login",
        "date_joined",
    )
    actions = ["disable_accounts", "enable_accounts"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ("is_staff",)
        return fields

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        token = _admin_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _admin_actor.reset(token)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            if not change:
                created = services.user_create(
                    actor=request.user,
                    username=obj.username,
                    password=form.cleaned_data["password1"],
                )
                obj.pk = created.pk
                obj._state.adding = False
                obj._state.db = created._state.db
                return
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            services.user_change(actor=request.user, user=User.objects.get(pk=obj.pk), **fields)
        except ServiceError as exc:
            # Past the form's own validation: refuse the page (403), nothing changed.
            raise NotPermitted(exc.message) from exc

    @admin.action(description=_("Disable the selected accounts (ends their sessions and tokens)"))
    def disable_accounts(self, request: HttpRequest, queryset: models.QuerySet[User]) -> None:
        self._each(request, queryset, disable=True)

    @admin.action(description=_("Enable the selected accounts"))
    def enable_accounts(self, request: HttpRequest, queryset: models.QuerySet[User]) -> None:
        self._each(request, queryset, disable=False)

    def _each(
        self, request: HttpRequest, queryset: models.QuerySet[User], *, disable: bool
    ) -> None:
        done = 0
        for user in queryset:
            try:
                if disable:
                    services.user_disable(
                        actor=request.user, user=user, reason="disabled from the admin site"
                    )
                else:
                    services.user_enable(
                        actor=request.user, user=user, reason="enabled from the admin site"
                    )
                done += 1
            except (ServiceError, NotPermitted) as exc:
                self.message_user(
                    request, f"{user}: {getattr(exc, 'message', exc)}", messages.ERROR
                )
        if done:
            self.message_user(request, _("%(n)d accounts changed.") % {"n": done})


class AuditedModelAdmin(admin.ModelAdmin):
    """Mission structure edited in the admin site: every save is audited, nothing is deleted."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,
            action="structure-change" if change else "structure-create",
            resource=obj._meta.model_name,
            object_id=obj.pk,
            mission_id=obj.pk
            if obj._meta.model_name == "mission"
            else getattr(obj, "mission_id", None),
            detail={"fields": sorted(form.changed_data)},
        )

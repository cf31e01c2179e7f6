"""Admin site: accounts and role assignments only.

Operational records are deliberately not registered: the admin role has no access to
operational content, and the admin site would bypass the authorization module.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from bluebox.core.models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    fk_name = "user"


@admin.register(User)
class BlueboxUserAdmin(UserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ("username", "display_name", "is_active", "last_login")

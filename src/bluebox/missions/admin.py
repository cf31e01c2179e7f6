"""Mission structure in the admin site (no operational content is registered here); every
save is audited and nothing is deleted."""

from django.contrib import admin

from bluebox.core.admin import AuditedModelAdmin
from bluebox.missions.models import FieldSite, Mission, Sector


@admin.register(Mission)
class MissionAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "authority", "is_synthetic")


@admin.register(Sector)
class SectorAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "mission")


@admin.register(FieldSite)
class FieldSiteAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "kind", "sector", "mission")

"""Mission structure in the admin site (no operational content is registered here)."""

from django.contrib import admin

from bluebox.missions.models import FieldSite, Mission, Sector


@admin.register(Mission)
class MissionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "authority", "is_synthetic")


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "mission")


@admin.register(FieldSite)
class FieldSiteAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "sector", "mission")

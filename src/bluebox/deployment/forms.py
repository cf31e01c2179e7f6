"""Forms of the force register: units, the IPO roster file and national caveats."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bluebox.core import inputs, labels
from bluebox.deployment import adapter
from bluebox.deployment.models import (
    CaveatKind,
    ContributingCountry,
    FormedPoliceUnit,
    SpecialisedPoliceTeam,
)
from bluebox.missions.models import FieldSite, Mission, SiteKind

DATE = forms.DateInput(attrs={"type": "date"})


class ListField(forms.CharField):
    """A short list typed as ``fr; en``: kept sorted, without repeats."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return sorted({part.strip() for part in text.replace(",", ";").split(";") if part.strip()})

    def prepare_value(self, value: Any) -> Any:
        return "; ".join(value) if isinstance(value, list) else value


class _UnitForm(forms.ModelForm):
    languages = ListField(label=_("Languages (separated by ;)"), required=False, max_length=200)
    rotation_start = inputs.FormDateField(label=_("Rotation starts"), required=False, widget=DATE)
    rotation_end = inputs.FormDateField(label=_("Rotation ends"), required=False, widget=DATE)

    def __init__(self, *args: Any, mission: Mission, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = FieldSite.objects.filter(mission=mission).order_by("name")
        for name in ("home_site", "site"):
            if name in self.fields:
                self.fields[name].queryset = sites  # type: ignore[attr-defined]
        self.fields["country"].queryset = ContributingCountry.objects.all()  # type: ignore[attr-defined]


class FpuForm(_UnitForm):
    class Meta:
        model = FormedPoliceUnit
        fields = [
            "name",
            "country",
            "strength",
            "women",
            "platoons",
            "sections_per_platoon",
            "quick_reaction_force",
            "home_site",
            "may_split",
            "languages",
            "rotation_start",
            "rotation_end",
        ]
        labels = {
            "name": _("Name"),
            "country": _("Contributing country"),
            "strength": _("Strength (officers)"),
            "women": _("Women"),
            "platoons": _("Platoons"),
            "sections_per_platoon": _("Sections per platoon"),
            "quick_reaction_force": _("Quick reaction force (officers)"),
            "home_site": _("Based at"),
            "may_split": _("Platoons may deploy away from the unit's base"),
        }


class SptForm(_UnitForm):
    skills = ListField(label=_("Skills (separated by ;)"), required=False, max_length=300)

    class Meta:
        model = SpecialisedPoliceTeam
        fields = [
            "name",
            "country",
            "specialty",
            "strength",
            "women",
            "site",
            "skills",
            "languages",
            "rotation_start",
            "rotation_end",
        ]
        labels = {
            "name": _("Name"),
            "country": _("Contributing country"),
            "specialty": _("Specialty"),
            "strength": _("Strength (officers)"),
            "women": _("Women"),
            "site": _("Deployed at"),
        }


UNIT_FORMS: dict[str, type[_UnitForm]] = {"fpu": FpuForm, "spt": SptForm}


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("IPO roster (CSV)"))


class CaveatForm(forms.Form):
    """One national caveat; which of the parameters it needs depends on its kind."""

    country = forms.ModelChoiceField(
        label=_("Contributing country"), queryset=ContributingCountry.objects.all()
    )
    unit = forms.ModelChoiceField(
        label=_("Only this FPU (leave empty for every officer of the country)"),
        queryset=FormedPoliceUnit.objects.none(),
        required=False,
    )
    kind = forms.ChoiceField(label=_("Restriction"), choices=CaveatKind.choices)
    sites = forms.MultipleChoiceField(
        label=_("Sites excluded"), required=False, widget=forms.CheckboxSelectMultiple
    )
    site_kinds = forms.MultipleChoiceField(
        label=_("Kinds of site excluded"),
        choices=SiteKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tasks = forms.MultipleChoiceField(
        label=_("Tasks excluded"), required=False, widget=forms.CheckboxSelectMultiple
    )
    delay_days = forms.IntegerField(
        label=_("Days the capital takes to approve"), required=False, min_value=0, max_value=365
    )
    description = forms.CharField(
        label=_("Reference (the note verbale or MOU paragraph)"), required=False, max_length=500
    )

    def __init__(self, *args: Any, mission: Mission, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = FormedPoliceUnit.objects.filter(mission=mission)  # type: ignore[attr-defined]
        self.fields["sites"].choices = [  # type: ignore[attr-defined]
            (s.code, s.name) for s in FieldSite.objects.filter(mission=mission).order_by("name")
        ]
        self.fields["tasks"].choices = [(t, labels.label(t, "task")) for t in adapter.TASKS]  # type: ignore[attr-defined]

    def parameters(self) -> dict[str, Any]:
        """The structured parameters of the chosen kind (the service checks them)."""
        data = self.cleaned_data
        kind = data["kind"]
        if kind == CaveatKind.EXCLUDED_SITES:
            return {"sites": data["sites"]}
        if kind == CaveatKind.EXCLUDED_SITE_KINDS:
            return {"site_kinds": data["site_kinds"]}
        if kind == CaveatKind.EXCLUDED_TASKS:
            return {"tasks": data["tasks"]}
        if kind == CaveatKind.CAPITAL_APPROVAL:
            return {"delay_days": data["delay_days"]}
        return {}


class LiftForm(forms.Form):
    reason = forms.CharField(label=_("Why it is lifted"), max_length=500)

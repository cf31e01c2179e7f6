from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bluebox.core import inputs
from bluebox.guide.models import Action, Phase, Threat

TRI = [("", _("Not known")), ("yes", _("Yes")), ("no", _("No"))]
SITE_RECORD = [("", _("As the site's record says")), ("yes", _("Yes")), ("no", _("No"))]


def tri(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class AskForm(forms.Form):
    """The situation an officer describes (a GET form: the answer is a page one can keep)."""

    site = forms.TypedChoiceField(label=_("Where"), coerce=int)
    action = forms.ChoiceField(label=_("What you want to do"), choices=Action.choices)
    threat = forms.ChoiceField(
        label=_("Threat"), choices=[("", _("Not known")), *Threat.choices], required=False
    )
    imminent_threat = forms.ChoiceField(
        label=_("Civilians under imminent threat of physical violence?"),
        choices=TRI,
        required=False,
    )
    national_police_present = forms.ChoiceField(
        label=_("National police present?"), choices=SITE_RECORD, required=False
    )
    national_police_operational = forms.ChoiceField(
        label=_("National police operational (able to act)?"), choices=SITE_RECORD, required=False
    )
    host_request = forms.ChoiceField(
        label=_("Has the host state requested the mission to act?"), choices=TRI, required=False
    )
    hrddp_cleared = forms.ChoiceField(
        label=_("Does an HRDDP decision allow support to the host-state unit?"),
        choices=TRI,
        required=False,
    )
    commander_order = forms.ChoiceField(
        label=_("Ordered by the commander?"), choices=TRI, required=False
    )
    phase = forms.ChoiceField(
        label=_("Phase"), choices=[("", _("Not known")), *Phase.choices], required=False
    )
    on = inputs.FormDateField(
        label=_("On"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, sites: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.TypedChoiceField)  # noqa: S101
        site_field.choices = [(s.pk, f"{s.name} ({s.get_kind_display()})") for s in sites]

    def facts(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "threat": data.get("threat") or None,
            "phase": data.get("phase") or None,
            **{
                key: tri(data.get(key) or "")
                for key in (
                    "imminent_threat",
                    "national_police_present",
                    "national_police_operational",
                    "host_request",
                    "hrddp_cleared",
                    "commander_order",
                )
            },
        }


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProposeForm(forms.Form):
    mission = forms.TypedChoiceField(label=_("Mission"), coerce=int)
    document = forms.FileField(label=_("Rule document (YAML or JSON)"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args: Any, missions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mission"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101
        field.choices = [(m.pk, m.name) for m in missions]

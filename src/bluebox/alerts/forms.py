from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bluebox.incidents.models import IncidentType


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000)
    duplicate = forms.BooleanField(label=_("Duplicate of another alert"), required=False)


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Answer to the caller"), max_length=480, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConvertForm(forms.Form):
    incident_type = forms.ChoiceField(label=_("Type"), choices=IncidentType.choices)
    latitude = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90, required=False)
    longitude = forms.FloatField(
        label=_("Longitude"), min_value=-180, max_value=180, required=False
    )


class CapDetailsForm(forms.Form):
    """What a reviewer adds before publishing: CAP's expires, web, contact and responseType."""

    expires = forms.DateTimeField(
        label=_("Expires (date and time, with offset)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"placeholder": "2026-12-01T18:00:00+00:00"}),
    )
    web = forms.URLField(
        label=_("Web page with more information"),
        required=False,
        max_length=500,
        assume_scheme="https",
    )
    contact = forms.CharField(label=_("Contact"), required=False, max_length=200)
    response_types = forms.MultipleChoiceField(
        label=_("What people should do"),
        required=False,
        choices=[
            ("Shelter", _("Shelter in place")),
            ("Evacuate", _("Evacuate")),
            ("Prepare", _("Prepare")),
            ("Execute", _("Execute a planned action")),
            ("Avoid", _("Avoid the area")),
            ("Monitor", _("Monitor information")),
            ("Assess", _("Assess the situation")),
            ("AllClear", _("All clear")),
            ("None", _("No action")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )

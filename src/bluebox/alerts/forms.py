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

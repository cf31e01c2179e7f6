"""Forms of the patrol pages: parse and validate input, nothing else."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from bluebox.core import inputs
from bluebox.core.classification import Classification


class WeekForm(forms.Form):
    week_start = inputs.FormDateField(label=_("Week starting (Monday)"))


class OverrideForm(forms.Form):
    slot = forms.ChoiceField(label=_("Slot"))
    team = forms.TypedChoiceField(label=_("Team"), coerce=int)
    area = forms.ChoiceField(label=_("Send to"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args: Any, slots: list, teams: list, areas: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["slot"]).choices = slots
        cast(forms.ChoiceField, self.fields["team"]).choices = teams
        cast(forms.ChoiceField, self.fields["area"]).choices = [
            ("", _("No patrol in this slot")),
            *areas,
        ]


class PatrolRecordForm(forms.Form):
    team = forms.TypedChoiceField(label=_("Team"), coerce=int)
    planned = forms.TypedChoiceField(
        label=_("Planned patrol"), coerce=int, required=False, empty_value=None
    )
    started_at = inputs.FormDateTimeField(
        label=_("Started"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ended_at = inputs.FormDateTimeField(
        label=_("Ended"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    members = forms.IntegerField(label=_("Members"), min_value=1, max_value=200)
    members_women = forms.IntegerField(label=_("Of whom women"), min_value=0, initial=0)
    partner = forms.TypedChoiceField(
        label=_("Host-state unit (joint patrol)"), coerce=int, required=False, empty_value=None
    )
    observations = forms.CharField(label=_("Observations"), widget=forms.Textarea, required=False)
    group = forms.CharField(label=_("People met (group)"), required=False, max_length=160)
    women = forms.IntegerField(label=_("Women"), min_value=0, initial=0)
    men = forms.IntegerField(label=_("Men"), min_value=0, initial=0)
    girls = forms.IntegerField(label=_("Girls"), min_value=0, initial=0)
    boys = forms.IntegerField(label=_("Boys"), min_value=0, initial=0)
    classification = forms.TypedChoiceField(
        label=_("Classification"),
        coerce=int,
        choices=[
            (int(Classification.CONFIDENTIAL), Classification.CONFIDENTIAL.label),
            (int(Classification.UNCLASSIFIED), Classification.UNCLASSIFIED.label),
        ],
    )

    def __init__(self, *args: Any, teams: list, planned: list, partners: list, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["team"]).choices = teams
        cast(forms.ChoiceField, self.fields["planned"]).choices = [("", "—"), *planned]
        cast(forms.ChoiceField, self.fields["partner"]).choices = [("", "—"), *partners]


class TrackForm(forms.Form):
    track = forms.FileField(label=_("GPS track (GPX or GeoJSON)"))

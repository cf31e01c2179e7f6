"""The agreement form and the decision forms. Shapes only; the rules are in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bluebox.core import inputs
from bluebox.core.classification import Classification
from bluebox.core.sharing import BLUR_RESOLUTIONS, TLP, Party, ShareableRecord, SharedField
from bluebox.incidents.models import IncidentType, PerpetratorCategory

EXACT = ""


class AgreementForm(forms.Form):
    mission = forms.TypedChoiceField(label=_("Mission"), coerce=int)
    # Incidents unless another type is chosen (a form that does not offer the choice).
    record_type = forms.ChoiceField(
        label=_("Records shared"),
        choices=ShareableRecord.choices,
        initial=ShareableRecord.INCIDENT,
        required=False,
    )
    title = forms.CharField(label=_("Title"), max_length=160)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    party = forms.ChoiceField(label=_("Shared with"), choices=Party.choices)
    partner = forms.TypedChoiceField(
        label=_("Named organisation"), coerce=int, required=False, empty_value=None
    )
    recipients = forms.TypedMultipleChoiceField(
        label=_("People who read under it"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    shared_fields = forms.MultipleChoiceField(
        label=_("What is shared"),
        choices=SharedField.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    incident_types = forms.MultipleChoiceField(
        label=_("Only these kinds of incident (none ticked: every kind)"),
        choices=IncidentType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    perpetrator_categories = forms.MultipleChoiceField(
        label=_("Only these perpetrators (none ticked: every perpetrator)"),
        choices=PerpetratorCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    covers_from = inputs.FormDateField(
        label=_("Records from (incidents by when they happened, assessments by when made)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    max_classification = forms.TypedChoiceField(
        label=_("Highest classification shared"),
        choices=Classification.choices,
        coerce=int,
        initial=Classification.UNCLASSIFIED,
    )
    tlp = forms.ChoiceField(label=_("TLP marking"), choices=TLP.choices, initial=TLP.AMBER)
    location_resolution = forms.TypedChoiceField(
        label=_("Locations"),
        choices=[(EXACT, _("As recorded (no blurring)")), *BLUR_RESOLUTIONS],
        coerce=int,
        empty_value=None,
        required=False,
        initial=6,
    )
    pseudonymise_names = forms.BooleanField(
        label=_("Replace names by pseudonyms"), required=False, initial=True
    )
    withhold_text = forms.BooleanField(
        label=_("Withhold free text (titles, descriptions, place names, notes)"),
        required=False,
        initial=True,
    )
    starts_at = inputs.FormDateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    expires_at = inputs.FormDateTimeField(
        label=_("Expires"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(
        self,
        *args: Any,
        missions: list[tuple[int, str]],
        recipients: list[tuple[int, str]],
        partners: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mission"].choices = missions  # type: ignore[attr-defined]
        self.fields["recipients"].choices = recipients  # type: ignore[attr-defined]
        self.fields["partner"].choices = [("", "—"), *partners]  # type: ignore[attr-defined]

    def clean_record_type(self) -> str:
        return str(self.cleaned_data.get("record_type") or ShareableRecord.INCIDENT)


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Why it ends now"), widget=forms.Textarea(attrs={"rows": 2}))

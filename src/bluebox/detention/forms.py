from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bluebox.core import inputs
from bluebox.detention.models import EvidenceKind, LegalBasis, Risk

NO_IDENTITY_HINT = _("Never write the detainee's name here: identities go in their own field.")


class ApprehensionForm(forms.Form):
    """Phone-friendly: who and when first, then the legal basis and the checks."""

    site = forms.TypedChoiceField(label=_("Field site"), coerce=int)
    apprehended_at = inputs.FormDateTimeField(
        label=_("Apprehended at (mission local time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    occurrence = forms.TypedChoiceField(
        label=_("If the clocks went back that night, which occurrence"),
        choices=[(0, _("First")), (1, _("Second"))],
        coerce=int,
        initial=0,
        required=False,
    )
    detainee_name = forms.CharField(
        label=_("Detainee's name (protected)"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    detainee_details = forms.CharField(
        label=_("Identifying details (protected)"),
        max_length=2000,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    location = forms.CharField(label=_("Where"), max_length=200, help_text=NO_IDENTITY_HINT)
    apprehending_unit = forms.CharField(label=_("By which unit"), max_length=160)
    legal_basis = forms.ChoiceField(label=_("Legal basis"), choices=LegalBasis.choices)
    host_request_reference = forms.CharField(
        label=_("Host state's request (reference)"), max_length=120, required=False
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), help_text=NO_IDENTITY_HINT
    )
    medical_check_done = forms.BooleanField(label=_("Medical check done"), required=False)
    medical_notes = forms.CharField(
        label=_("Medical notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    property_taken = forms.CharField(
        label=_("Property taken"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    override_justification = forms.CharField(
        label=_("Commander's override: why record it although the rules refuse"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
        help_text=_("Commanders only; audited. Leave empty unless the rules refused."),
    )

    def __init__(
        self, *args: Any, sites: list[Any], can_override: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s.pk, s.name) for s in sites]  # type: ignore[attr-defined]
        if not can_override:
            del self.fields["override_justification"]


class RevealForm(forms.Form):
    purpose = forms.CharField(label=_("Why do you need the identity?"), max_length=500)


class RiskAssessmentForm(forms.Form):
    receiving_partner = forms.TypedChoiceField(label=_("Receiving national authority"), coerce=int)
    risk_ill_treatment = forms.ChoiceField(label=_("Risk of ill-treatment"), choices=Risk.choices)
    risk_unfair_trial = forms.ChoiceField(label=_("Risk of an unfair trial"), choices=Risk.choices)
    risk_death_penalty = forms.ChoiceField(
        label=_("Risk of the death penalty"), choices=Risk.choices
    )
    risk_persecution = forms.ChoiceField(label=_("Risk of persecution"), choices=Risk.choices)
    rationale = forms.CharField(
        label=_("Grounds"), widget=forms.Textarea(attrs={"rows": 3}), help_text=NO_IDENTITY_HINT
    )

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receiving_partner"].choices = [(u.pk, u.name) for u in units]  # type: ignore[attr-defined]


class HandoverForm(forms.Form):
    assessment = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class OverrideForm(forms.Form):
    assessment = forms.IntegerField(widget=forms.HiddenInput)
    justification = forms.CharField(
        label=_("Written justification (commander)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ReleaseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for release"), max_length=2000)


class TransferForm(forms.Form):
    destination = forms.CharField(label=_("Transferred to"), max_length=200)
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EvidenceKind.choices)
    label = forms.CharField(label=_("Label or tag"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=5000, required=False)
    file = forms.FileField(label=_("File"), required=False)


class TransferOfferForm(forms.Form):
    receiver = forms.CharField(label=_("Receiver's username"), max_length=150)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)

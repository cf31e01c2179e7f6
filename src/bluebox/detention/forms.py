from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bluebox.core import inputs
from bluebox.core.forms import StepUpForm
from bluebox.detention.models import EvidenceKind, Interpreter, LegalBasis, Risk, Sex
from bluebox.guide.models import Threat

NO_IDENTITY_HINT = _("Never write the detainee's name here: identities go in their own field.")
CHOOSE = [("", _("— choose —"))]
#: Risk levels with nothing chosen: an assessor states each risk, none is presumed low.
RISK_CHOICES = [*CHOOSE, *Risk.choices]


def _local_time(label: Any, required: bool = False) -> inputs.FormDateTimeField:
    return inputs.FormDateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class SafeguardsFields(forms.Form):
    """Who is held and the rights they were given: sex, age, rights, interpreter, notices."""

    #: Fields that hold a mission-local wall time, turned into UTC by the view.
    LOCAL_TIMES = ("rights_read_at", "icrc_notified_at", "family_notified_at")

    sex = forms.ChoiceField(label=_("Sex"), choices=[*CHOOSE, *Sex.choices])
    age_years = forms.IntegerField(
        label=_("Age (years)"), min_value=0, max_value=120, required=False
    )
    age_estimated = forms.BooleanField(label=_("The age is an estimate"), required=False)
    believed_child = forms.BooleanField(
        label=_("May be under 18 (treat as a child until known)"), required=False
    )
    rights_read_at = _local_time(_("Rights read at (mission local time)"))
    rights_language = forms.CharField(
        label=_("Rights read in which language"), max_length=60, required=False
    )
    interpreter = forms.ChoiceField(label=_("Interpreter"), choices=[*CHOOSE, *Interpreter.choices])
    interpreter_language = forms.CharField(
        label=_("Language the detainee needs"), max_length=60, required=False
    )
    icrc_notified_at = _local_time(_("ICRC notified at (mission local time)"))
    family_notified_at = _local_time(_("Family notified at (mission local time)"))
    notification_note = forms.CharField(
        label=_("If the family was not told, why"),
        max_length=2000,
        required=False,
        help_text=NO_IDENTITY_HINT,
    )


class SafeguardsForm(SafeguardsFields):
    """The same safeguards recorded later: nothing is required, nothing held is erased."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class CustodyMoveForm(forms.Form):
    moved_at = _local_time(_("Moved at (mission local time)"), required=True)
    to_place = forms.CharField(label=_("Moved to"), max_length=200, help_text=NO_IDENTITY_HINT)
    reason = forms.CharField(label=_("Reason for the move"), max_length=2000)


class ApprehensionForm(SafeguardsFields):
    """Phone-friendly: who and when first, then the legal basis and the checks."""

    field_order = [
        "site",
        "apprehended_at",
        "occurrence",
        "detainee_name",
        "detainee_details",
        "sex",
        "age_years",
        "age_estimated",
        "believed_child",
    ]

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
    # The mission's rules read it: beyond the police's primacy (the green box) the Force acts.
    threat = forms.ChoiceField(label=_("The threat you faced"), choices=[*CHOOSE, *Threat.choices])
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
        self,
        *args: Any,
        sites: list[Any],
        can_override: bool = True,
        clocks_change: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s.pk, s.name) for s in sites]  # type: ignore[attr-defined]
        if not can_override:
            del self.fields["override_justification"]
        if not clocks_change:
            # No daylight saving in the mission's zone: no local time happens twice.
            del self.fields["occurrence"]


class RevealForm(StepUpForm):
    purpose = forms.CharField(label=_("Why do you need the identity?"), max_length=500)


class RiskAssessmentForm(forms.Form):
    receiving_partner = forms.TypedChoiceField(label=_("Receiving national authority"), coerce=int)
    risk_ill_treatment = forms.ChoiceField(label=_("Risk of ill-treatment"), choices=RISK_CHOICES)
    risk_unfair_trial = forms.ChoiceField(label=_("Risk of an unfair trial"), choices=RISK_CHOICES)
    risk_death_penalty = forms.ChoiceField(
        label=_("Risk of the death penalty"), choices=RISK_CHOICES
    )
    risk_persecution = forms.ChoiceField(label=_("Risk of persecution"), choices=RISK_CHOICES)
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

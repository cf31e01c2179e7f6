from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bluebox.core import inputs, labels
from bluebox.core.classification import Classification
from bluebox.core.forms import StepUpForm
from bluebox.engines.guide import THREAT_LEVELS
from bluebox.incidents import photos
from bluebox.incidents.models import (
    RELIABILITY,
    IncidentLink,
    IncidentResponse,
    IncidentType,
    PerpetratorCategory,
    PocPhase,
    PocTier,
)
from bluebox.incidents.primacy import WEAPON_CHOICES


class PhotosInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; each is checked by the service (incidents/photos.py)."""

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(f, initial) for f in files if f]


class IncidentReportForm(forms.Form):
    """The phone-friendly report form: the essentials first, grading last."""

    site = forms.TypedChoiceField(label=_("Field site"), coerce=int)
    title = forms.CharField(label=_("Short title"), max_length=200)
    # No type is presumed: a report says what happened (the first type was "Killing").
    incident_type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("— choose —")), *IncidentType.choices]
    )
    occurred_at = inputs.FormDateTimeField(
        label=_("When (local time at the site)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    latitude = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    perpetrator_category = forms.ChoiceField(
        label=_("Perpetrator"), choices=PerpetratorCategory.choices, initial="unknown"
    )
    fatalities_best = forms.IntegerField(
        label=_("Fatalities (best estimate)"), min_value=0, initial=0
    )
    weapons = forms.MultipleChoiceField(
        label=_("Weapons used"),
        choices=lambda: [(w, labels.label(w, "weapon")) for w in WEAPON_CHOICES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    victims_women = forms.IntegerField(
        label=_("Victims: women"), min_value=0, initial=0, required=False
    )
    victims_men = forms.IntegerField(
        label=_("Victims: men"), min_value=0, initial=0, required=False
    )
    victims_girls = forms.IntegerField(
        label=_("Victims: girls"), min_value=0, initial=0, required=False
    )
    victims_boys = forms.IntegerField(
        label=_("Victims: boys"), min_value=0, initial=0, required=False
    )
    civilian_targeting = forms.BooleanField(
        label=_("Civilians were targeted"), required=False, initial=True
    )
    poc_tier = forms.TypedChoiceField(
        label=_("POC tier"), choices=PocTier.choices, coerce=int, initial=PocTier.PHYSICAL
    )
    poc_phase = forms.ChoiceField(
        label=_("POC phase"), choices=PocPhase.choices, initial=PocPhase.RESPONSE, required=False
    )
    source_reliability = forms.ChoiceField(
        label=_("Source reliability"), choices=RELIABILITY, initial="F"
    )
    information_credibility = forms.TypedChoiceField(
        label=_("Information credibility"),
        choices=[(i, str(i)) for i in range(1, 7)],
        coerce=int,
        initial=6,
    )
    classification = forms.TypedChoiceField(
        label=_("Classification"),
        choices=Classification.choices,
        coerce=int,
        initial=Classification.CONFIDENTIAL,
    )
    description = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=20000,
    )
    # accept= only, no capture=: a phone then offers its camera and its gallery, so a photo
    # taken before the form was opened can be attached too.
    photos = PhotosField(
        label=_("Photos"),
        required=False,
        widget=PhotosInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/*"}),
    )

    def __init__(self, *args: Any, sites: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = gettext(
            "Up to %(n)d photos, JPEG, PNG or WebP, %(mb)d MB each. Their location and other "
            "metadata are removed when they are stored."
        ) % {"n": photos.MAX_PHOTOS, "mb": photos.MAX_PHOTO_BYTES // (1024 * 1024)}
        self.fields["site"].choices = [(s.pk, s.name) for s in sites]  # type: ignore[attr-defined]


class VerifyForm(forms.Form):
    """Verification: the grading as the analyst found it, and what was checked."""

    # Optional, as in the API's verify action: left out, the grading stays as it is.
    source_reliability = forms.ChoiceField(
        label=_("Source reliability"), choices=RELIABILITY, required=False
    )
    information_credibility = forms.TypedChoiceField(
        label=_("Information credibility"),
        choices=[(i, str(i)) for i in range(1, 7)],
        coerce=int,
        required=False,
        empty_value=None,
    )
    note = forms.CharField(
        label=_("What was checked"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class RespondForm(forms.Form):
    mode = forms.ChoiceField(label=_("How"), choices=IncidentResponse.Mode.choices)
    unit = forms.CharField(label=_("Who (unit)"), max_length=120, required=False)
    responded_at = inputs.FormDateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    description = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LinkForm(forms.Form):
    other = forms.IntegerField(label=_("Other incident number"), min_value=1)
    kind = forms.ChoiceField(label=_("Link"), choices=IncidentLink.Kind.choices)


class MergeForm(forms.Form):
    duplicate = forms.IntegerField(label=_("Number of the duplicate record"), min_value=1)
    note = forms.CharField(
        label=_("Why they are the same event"), max_length=2000, widget=forms.Textarea
    )


class UnmergeForm(forms.Form):
    reason = forms.CharField(label=_("Why the merge is undone"), max_length=2000)


class HandoverForm(forms.Form):
    to_primacy = forms.ChoiceField(
        label=_("Hand primacy to"),
        choices=[("blue", _("Police (blue box)")), ("green", _("Military (green box)"))],
    )
    # The mission's rules (the field guide) read it; the words are the guide's threat levels.
    threat = forms.ChoiceField(label=_("The threat now"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=2000)
    override_justification = forms.CharField(
        label=_("Override: why hand over although the mission's rules refuse"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
        help_text=_("Audited. Leave empty unless the rules refused."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        threat = self.fields["threat"]
        assert isinstance(threat, forms.ChoiceField)  # noqa: S101
        threat.choices = [
            ("", _("As the incident's classification says")),
            *((level, labels.label(level, "threat")) for level in THREAT_LEVELS),
        ]

    def clean_threat(self) -> str | None:
        return self.cleaned_data.get("threat") or None


class RevealForm(StepUpForm):
    purpose = forms.CharField(
        label=_("Purpose of this reveal"),
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ImportForm(forms.Form):
    mission = forms.TypedChoiceField(label=_("Into mission"), coerce=int)
    fmt = forms.ChoiceField(
        label=_("Format"),
        choices=[("ucdp", _("UCDP GED (CSV)")), ("acled", _("ACLED (CSV)"))],
        widget=forms.RadioSelect,
        initial="ucdp",
    )
    file = forms.FileField(label=_("File"))
    accept_outside = forms.BooleanField(
        label=_(
            "Import events outside the mission area too (only once you have checked the file "
            "is this mission's and its coordinates are not swapped)"
        ),
        required=False,
    )

    def __init__(self, *args: Any, missions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mission"].choices = [(m.pk, m.name) for m in missions]  # type: ignore[attr-defined]

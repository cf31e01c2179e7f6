from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bluebox.assessment.models import FormStatus
from bluebox.core import inputs
from bluebox.core.classification import Classification


class UploadForm(forms.Form):
    mission = forms.TypedChoiceField(label=_("Mission"), coerce=int)
    xlsform = forms.FileField(label=_("XLSForm file (.xlsx, .xls, .csv or .md)"))
    classification = forms.TypedChoiceField(
        label=_("Classification of the answers"),
        coerce=int,
        choices=Classification.choices,
        initial=Classification.UNCLASSIFIED,
        required=False,
        empty_value=int(Classification.UNCLASSIFIED),  # type: ignore[arg-type]
    )

    def __init__(self, *args: object, missions: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["mission"].choices = missions  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    place = forms.ChoiceField(label=_("Where"))
    opens_on = inputs.FormDateField(
        label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    closes_on = inputs.FormDateField(
        label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    round_label = forms.CharField(label=_("Round"), max_length=64, required=False)

    def __init__(self, *args: object, places: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["place"].choices = places  # type: ignore[attr-defined]


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=FormStatus.choices)


class MediaForm(forms.Form):
    file = forms.FileField(label=_("Media file"))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Export from KoBoToolbox or ODK Central (CSV, XLSX, JSON or zip)")
    )


class CollectorForm(forms.Form):
    name = forms.CharField(label=_("Phone"), max_length=100)

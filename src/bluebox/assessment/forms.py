from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bluebox.assessment.models import FormStatus, RemoteKind
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


class SourceForm(forms.Form):
    """The server a form's submissions are pulled from; the credential is never shown back."""

    kind = forms.ChoiceField(label=_("Server"), choices=RemoteKind.choices)
    base_url = forms.CharField(
        label=_("Server address"),
        max_length=300,
        widget=forms.URLInput(attrs={"placeholder": "https://kf.kobotoolbox.org"}),
    )
    asset_uid = forms.CharField(label=_("KoBoToolbox asset uid"), max_length=64, required=False)
    project_id = forms.IntegerField(
        label=_("ODK Central project number"), min_value=1, max_value=2**31 - 1, required=False
    )
    xml_form_id = forms.CharField(label=_("ODK Central form ID"), max_length=64, required=False)
    username = forms.CharField(
        label=_("ODK Central account email (empty for an app user token)"),
        max_length=200,
        required=False,
    )
    credential = forms.CharField(
        label=_("API token, password or app user token (empty: keep the stored one)"),
        max_length=2000,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

"""Page forms: they parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bluebox.core import inputs
from bluebox.core.forms import SiteForm, classification_field
from bluebox.evaluation.models import InterventionKind


class InterventionForm(SiteForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=InterventionKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    site = forms.TypedChoiceField(label=_("Site"), coerce=int, required=False, empty_value=None)
    area = forms.CharField(
        label=_("Area (H3 cell; empty: the site's own)"), max_length=16, required=False
    )
    started_on = inputs.FormDateField(
        label=_("Started on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    classification = classification_field()

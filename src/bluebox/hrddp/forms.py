from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bluebox.core import inputs
from bluebox.hrddp.models import Activity, Commitment, Level, Outcome


class AssessmentForm(forms.Form):
    violations_history = forms.CharField(
        label=_("1. Record of grave violations"), widget=forms.Textarea(attrs={"rows": 3})
    )
    violations_level = forms.ChoiceField(label=_("Gravity of that record"), choices=Level.choices)
    corrective_commitment = forms.CharField(
        label=_("2. Commitment to corrective action"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    commitment_level = forms.ChoiceField(label=_("Commitment"), choices=Commitment.choices)
    monitoring_plan = forms.CharField(
        label=_("4. Monitoring"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    monitoring_interval_days = forms.IntegerField(
        label=_("Monitoring interval (days)"), min_value=1, max_value=366, initial=90
    )
    overall_risk = forms.ChoiceField(label=_("Overall risk"), choices=Level.choices)
    measure = forms.CharField(label=_("3. First mitigation measure"), required=False)
    owner = forms.CharField(label=_("Owner"), required=False, max_length=200)
    due_on = inputs.FormDateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class MitigationForm(forms.Form):
    measure = forms.CharField(label=_("Measure"))
    owner = forms.CharField(label=_("Owner"), max_length=200)
    due_on = inputs.FormDateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))


class DecisionForm(forms.Form):
    assessment = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices)
    activities = forms.MultipleChoiceField(
        label=_("Activities covered"),
        choices=Activity.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[a.value for a in Activity],
    )
    rationale = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 2}))
    valid_from = inputs.FormDateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = inputs.FormDateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    review_on = inputs.FormDateField(
        label=_("Review on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class LinkForm(forms.Form):
    incident = forms.IntegerField(label=_("Incident number"), required=False)
    reference = forms.CharField(label=_("or human rights report reference"), required=False)
    summary = forms.CharField(label=_("Summary"), required=False)
    reported_on = inputs.FormDateField(
        label=_("Report date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class OverrideForm(forms.Form):
    activity = forms.ChoiceField(label=_("Activity"), choices=Activity.choices)
    justification = forms.CharField(
        label=_("Written justification"), widget=forms.Textarea(attrs={"rows": 2})
    )
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=30, initial=7
    )

"""Page forms: they parse; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from bluebox.core import inputs
from bluebox.core.classification import Classification
from bluebox.core.forms import BLANK, SiteForm, StepUpForm, classification_field
from bluebox.engagement.models import (
    AgeBand,
    CommitmentStatus,
    HarmOutcome,
    Level,
    OwnerKind,
    Phase,
    Sex,
    StakeholderGroup,
)
from bluebox.incidents.models import IncidentType

DATE = forms.DateInput(attrs={"type": "date"})


class DialogueForm(SiteForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    community = forms.CharField(label=_("Community or area"), max_length=200)
    site = forms.TypedChoiceField(label=_("Site"), coerce=int, required=False, empty_value=None)
    started_on = inputs.FormDateField(label=_("Started on"), widget=DATE)
    stakeholder_groups = forms.MultipleChoiceField(
        label=_("Stakeholder groups"),
        choices=StakeholderGroup.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    facilitator_name = forms.CharField(
        label=_("Facilitating partner"), max_length=200, required=False
    )
    objective = forms.CharField(
        label=_("Objective"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    classification = classification_field()


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)
    note = forms.CharField(label=_("Why (needed to go back)"), required=False, max_length=300)


class HarmForm(forms.Form):
    """The do-no-harm check, part of the session form and on its own before a contact."""

    harm_exposed = forms.CharField(
        label=_("Who could be exposed by this contact?"), widget=forms.Textarea(attrs={"rows": 2})
    )
    harm_how = forms.CharField(label=_("How?"), widget=forms.Textarea(attrs={"rows": 2}))
    harm_measures = forms.CharField(
        label=_("Measures taken"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    harm_risk = forms.ChoiceField(label=_("Risk"), choices=Level.choices)
    harm_outcome = forms.ChoiceField(label=_("Decision"), choices=HarmOutcome.choices)

    def harm(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "exposed": data["harm_exposed"],
            "how": data["harm_how"],
            "measures": data.get("harm_measures", ""),
            "risk": data["harm_risk"],
            "outcome": data["harm_outcome"],
        }


class ContactCheckForm(HarmForm):
    contact = forms.CharField(label=_("Community contact"), max_length=200)


PROBLEM_ROWS = 3
COMMITMENT_ROWS = 5


class SessionForm(HarmForm):
    """A session whole: when, where, the check, who came (counts), problems and commitments.

    Attendance is one number per stakeholder group and sex (fields ``att_<group>_<sex>``);
    problems and commitments are numbered rows, blank rows ignored.
    """

    held_on = inputs.FormDateField(label=_("Held on"), widget=DATE)
    place = forms.CharField(label=_("Place"), max_length=200)
    agenda = forms.CharField(
        label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    minutes = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    classification = forms.TypedChoiceField(
        label=_("Classification"), choices=Classification.choices, coerce=int
    )

    def __init__(
        self,
        *args: Any,
        groups: list[str] | None = None,
        people: list[tuple[int, str]] | None = None,
        organisations: list[tuple[int, str]] | None = None,
        sites: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.groups = [g for g in (groups or []) if g in StakeholderGroup.values]
        self.attendance_rows = []
        for group in self.groups:
            row = []
            for sex in (Sex.FEMALE, Sex.MALE):
                name = f"att_{group}_{sex}"
                self.fields[name] = forms.IntegerField(
                    label=f"{StakeholderGroup(group).label} — {Sex(sex).label}",
                    min_value=0,
                    max_value=100000,
                    required=False,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
                )
                row.append(name)
            self.attendance_rows.append((StakeholderGroup(group).label, row))
        self.problem_rows = []
        for n in range(PROBLEM_ROWS):
            self.fields[f"problem_{n}_description"] = forms.CharField(
                label=_("Problem raised"), required=False, max_length=2000
            )
            self.fields[f"problem_{n}_root_cause"] = forms.CharField(
                label=_("Root cause"), required=False, max_length=2000
            )
            self.fields[f"problem_{n}_incident_type"] = forms.ChoiceField(
                label=_("Incident type"), choices=BLANK + list(IncidentType.choices), required=False
            )
            self.fields[f"problem_{n}_area_site"] = forms.TypedChoiceField(
                label=_("Area"),
                choices=BLANK + list(sites or []),
                coerce=int,
                required=False,
                empty_value=None,
            )
            self.problem_rows.append(
                [
                    f"problem_{n}_{k}"
                    for k in ("description", "root_cause", "incident_type", "area_site")
                ]
            )
        self.commitment_rows = []
        for n in range(COMMITMENT_ROWS):
            self.fields[f"commitment_{n}_text"] = forms.CharField(
                label=_("Commitment"), required=False, max_length=2000
            )
            self.fields[f"commitment_{n}_owner_kind"] = forms.ChoiceField(
                label=_("Made by"), choices=OwnerKind.choices, initial=OwnerKind.EXTERNAL
            )
            self.fields[f"commitment_{n}_owner_user"] = forms.TypedChoiceField(
                label=_("Person"),
                choices=BLANK + list(people or []),
                coerce=int,
                required=False,
                empty_value=None,
            )
            self.fields[f"commitment_{n}_owner_organisation"] = forms.TypedChoiceField(
                label=_("Unit or organisation"),
                choices=BLANK + list(organisations or []),
                coerce=int,
                required=False,
                empty_value=None,
            )
            self.fields[f"commitment_{n}_owner_external"] = forms.CharField(
                label=_("External body"), required=False, max_length=200
            )
            self.fields[f"commitment_{n}_due_on"] = inputs.FormDateField(
                label=_("Due"), required=False, widget=DATE
            )
            self.commitment_rows.append(
                [
                    f"commitment_{n}_{k}"
                    for k in (
                        "text",
                        "owner_kind",
                        "owner_user",
                        "owner_organisation",
                        "owner_external",
                        "due_on",
                    )
                ]
            )

    def attendance(self) -> list[dict[str, Any]]:
        rows = []
        for group in self.groups:
            for sex in (Sex.FEMALE, Sex.MALE):
                count = self.cleaned_data.get(f"att_{group}_{sex}")
                if count:
                    rows.append({"group": group, "sex": sex, "age_band": "", "count": count})
        return rows

    def problems(self) -> list[dict[str, Any]]:
        rows = []
        for n in range(PROBLEM_ROWS):
            description = self.cleaned_data.get(f"problem_{n}_description", "")
            if description:
                rows.append(
                    {
                        "description": description,
                        "root_cause": self.cleaned_data.get(f"problem_{n}_root_cause", ""),
                        "incident_type": self.cleaned_data.get(f"problem_{n}_incident_type", ""),
                        "area_site": self.cleaned_data.get(f"problem_{n}_area_site"),
                    }
                )
        return rows

    def commitments(self) -> list[dict[str, Any]]:
        rows = []
        for n in range(COMMITMENT_ROWS):
            text = self.cleaned_data.get(f"commitment_{n}_text", "")
            if text:
                rows.append(
                    {
                        "text": text,
                        "owner_kind": self.cleaned_data.get(f"commitment_{n}_owner_kind"),
                        "owner_user": self.cleaned_data.get(f"commitment_{n}_owner_user"),
                        "owner_organisation": self.cleaned_data.get(
                            f"commitment_{n}_owner_organisation"
                        ),
                        "owner_external": self.cleaned_data.get(
                            f"commitment_{n}_owner_external", ""
                        ),
                        "due_on": self.cleaned_data.get(f"commitment_{n}_due_on"),
                        "status": CommitmentStatus.AGREED,
                    }
                )
        return rows


class ParticipantForm(forms.Form):
    group = forms.ChoiceField(label=_("Group"), choices=StakeholderGroup.choices)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNDISCLOSED)
    age_band = forms.ChoiceField(
        label=_("Age"), choices=BLANK + list(AgeBand.choices), required=False
    )
    consented_to_name = forms.BooleanField(label=_("Consents to be named"), required=False)
    name = forms.CharField(label=_("Name (only with consent)"), max_length=200, required=False)
    sms_opt_in = forms.BooleanField(label=_("Wants follow-up by SMS"), required=False)
    phone = forms.CharField(label=_("Phone (only for follow-up)"), max_length=40, required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=CommitmentStatus.choices)
    evidence = forms.CharField(
        label=_("Evidence of the change"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class LinkIncidentForm(forms.Form):
    incident = forms.IntegerField(label=_("Incident number"), min_value=1)


class DueForm(forms.Form):
    due_on = inputs.FormDateField(label=_("New due date"), widget=DATE)
    reason = forms.CharField(label=_("Why"), max_length=300)


class RevealForm(StepUpForm):
    purpose = forms.CharField(label=_("Purpose"), max_length=500)


class CommitteeForm(SiteForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    community = forms.CharField(label=_("Community"), max_length=200)
    site = forms.TypedChoiceField(label=_("Site"), coerce=int, required=False, empty_value=None)
    formed_on = inputs.FormDateField(label=_("Formed on"), widget=DATE)


class MemberForm(forms.Form):
    role_in_committee = forms.CharField(label=_("Role in the committee"), max_length=120)
    group = forms.ChoiceField(label=_("Group"), choices=StakeholderGroup.choices)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNDISCLOSED)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    adopted_on = inputs.FormDateField(label=_("Adopted on"), widget=DATE)
    review_on = inputs.FormDateField(label=_("Review on"), widget=DATE)
    threat = forms.CharField(label=_("Threat"), max_length=2000)
    incident_type = forms.ChoiceField(
        label=_("Incident type"), choices=BLANK + list(IncidentType.choices), required=False
    )
    measure = forms.CharField(label=_("Measure"), max_length=2000)
    owner = forms.CharField(label=_("Owner"), max_length=200)
    measure_review_on = inputs.FormDateField(label=_("Measure reviewed on"), widget=DATE)


class MeasureForm(forms.Form):
    threat = forms.CharField(label=_("Threat"), max_length=2000)
    incident_type = forms.ChoiceField(
        label=_("Incident type"), choices=BLANK + list(IncidentType.choices), required=False
    )
    measure = forms.CharField(label=_("Measure"), max_length=2000)
    owner = forms.CharField(label=_("Owner"), max_length=200)
    review_on = inputs.FormDateField(label=_("Review on"), widget=DATE)


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    topic = forms.CharField(
        label=_("Topic"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    pass_mark = forms.IntegerField(
        label=_("Pass mark (post-test)"), min_value=0, max_value=100, initial=60
    )


class CourseSessionForm(forms.Form):
    starts_on = inputs.FormDateField(label=_("Starts on"), widget=DATE)
    ends_on = inputs.FormDateField(label=_("Ends on"), widget=DATE)
    place = forms.CharField(label=_("Place"), max_length=200)
    trainers = forms.CharField(label=_("Trainers"), max_length=500)


class TraineeForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Host-state unit"), coerce=int)
    name = forms.CharField(label=_("Name"), max_length=200)
    rank = forms.CharField(label=_("Rank"), max_length=80, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNDISCLOSED)
    pre_score = forms.IntegerField(
        label=_("Pre-test score"), min_value=0, max_value=100, required=False
    )

    def __init__(self, *args: Any, units: list[tuple[int, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = list(units or [])


class ScoresForm(forms.Form):
    pre_score = forms.IntegerField(label=_("Pre-test"), min_value=0, max_value=100, required=False)
    post_score = forms.IntegerField(
        label=_("Post-test"), min_value=0, max_value=100, required=False
    )
    withdrawn = forms.BooleanField(label=_("Withdrew"), required=False)


class ObservationForm(forms.Form):
    observed_on = inputs.FormDateField(label=_("Observed on"), widget=DATE)
    rating = forms.IntegerField(label=_("Applies the course (1–5)"), min_value=1, max_value=5)
    note = forms.CharField(label=_("What was observed"), max_length=2000)


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)

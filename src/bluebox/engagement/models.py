"""Engagement: justice and security dialogues, commitments, protection committees, courses.

Tier I of protection (dialogue and engagement) and tier III (capacity building of host-state
police). Every operational record is classified, voidable and scoped to the mission, sector and
site of the community it concerns. People are counted, not named: a participant's or a committee
member's name is kept only with their consent, and it and their phone number are encrypted
(:class:`~bluebox.core.crypto.EncryptedTextField`) and revealed only to the engagement team
(the ``reveal_contact`` action), with a stated purpose, audited.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bluebox.core.bounds import ListOfChoices, within_date_window
from bluebox.core.classification import Classification
from bluebox.core.crypto import EncryptedTextField
from bluebox.core.models import ClassifiedRecord, VoidableRecord
from bluebox.core.roles import Resource
from bluebox.incidents.models import IncidentType


class Phase(models.TextChoices):
    PREPARATION = "preparation", _("Preparation and consultations")
    SESSIONS = "sessions", _("Dialogue sessions")
    ACTION_PLAN = "action_plan", _("Action plan")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")


PHASE_ORDER = [p.value for p in Phase]


class StakeholderGroup(models.TextChoices):
    MISSION_POLICE = "mission_police", _("Mission police")
    HOST_POLICE = "host_police", _("Host-state police")
    LOCAL_AUTHORITIES = "local_authorities", _("Local authorities")
    JUSTICE = "justice", _("Courts and prosecutors")
    TRADITIONAL_LEADERS = "traditional_leaders", _("Traditional leaders")
    RELIGIOUS_LEADERS = "religious_leaders", _("Religious leaders")
    WOMEN = "women", _("Women's groups")
    YOUTH = "youth", _("Youth groups")
    IDP = "idp", _("Displaced people's representatives")
    SELF_DEFENCE = "self_defence", _("Vigilante or self-defence groups")
    CIVIL_SOCIETY = "civil_society", _("Civil society organisations")
    OTHER = "other", _("Other residents")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNDISCLOSED = "undisclosed", _("Not recorded")


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", _("Under 18")
    FROM_18_TO_35 = "18_35", _("18 to 35")
    FROM_36_TO_59 = "36_59", _("36 to 59")
    OVER_60 = "60_plus", _("60 and over")


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class HarmOutcome(models.TextChoices):
    PROCEED = "proceed", _("Go ahead")
    PROCEED_WITH_MEASURES = "proceed_with_measures", _("Go ahead with the measures recorded")
    POSTPONE = "postpone", _("Postpone: the risk is too high")


class CommitmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    AGREED = "agreed", _("Agreed")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


#: The workflow: which status may follow which (done and dropped are final).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    CommitmentStatus.PROPOSED: (CommitmentStatus.AGREED, CommitmentStatus.DROPPED),
    CommitmentStatus.AGREED: (
        CommitmentStatus.IN_PROGRESS,
        CommitmentStatus.DONE,
        CommitmentStatus.DROPPED,
    ),
    CommitmentStatus.IN_PROGRESS: (CommitmentStatus.DONE, CommitmentStatus.DROPPED),
    CommitmentStatus.DONE: (),
    CommitmentStatus.DROPPED: (),
}
OPEN_STATUSES = (CommitmentStatus.PROPOSED, CommitmentStatus.AGREED, CommitmentStatus.IN_PROGRESS)


class OwnerKind(models.TextChoices):
    USER = "user", _("A person with an account")
    ORGANISATION = "organisation", _("A unit or organisation of the mission's registry")
    EXTERNAL = "external", _("An external body without an account")


class EngagementRecord(ClassifiedRecord, VoidableRecord):
    """Scoped like the community it concerns: mission, sector and (when known) site."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey(
        "missions.Sector", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    site = models.ForeignKey(
        "missions.FieldSite", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    access_resource: ClassVar[Resource] = Resource.ENGAGEMENT
    access_scope: ClassVar[dict[str, str | None]] = {
        "mission": "mission_id",
        "sector": "sector_id",
        "site": "site_id",
    }

    class Meta:
        abstract = True


class Dialogue(EngagementRecord):
    """A months-long justice and security dialogue in one community or area."""

    title = models.CharField(max_length=200)
    community = models.CharField(max_length=200)
    phase = models.CharField(max_length=16, choices=Phase.choices, default=Phase.PREPARATION)
    facilitator = models.ForeignKey(
        "missions.PartnerOrganisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    facilitator_name = models.CharField(max_length=200, blank=True)
    stakeholder_groups = models.JSONField(
        default=list, validators=[ListOfChoices(StakeholderGroup.values, max_items=20)]
    )
    objective = models.TextField(blank=True)
    started_on = models.DateField(validators=[within_date_window])
    # The alert network's SMS channel that carries follow-up messages (empty: the mission's
    # first active SMS channel).
    sms_channel = models.ForeignKey(
        "alerts.Channel", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Participant(EngagementRecord):
    """Someone who takes part in a dialogue and may follow its commitments.

    The name is kept only with consent; the phone number only for follow-up messages they
    asked for. Both are encrypted; the number is matched by keyed digest (the alert network's).
    """

    dialogue = models.ForeignKey(Dialogue, on_delete=models.PROTECT, related_name="participants")
    pseudonym = models.CharField(max_length=32, unique=True)
    group = models.CharField(max_length=24, choices=StakeholderGroup.choices)
    sex = models.CharField(max_length=12, choices=Sex.choices, default=Sex.UNDISCLOSED)
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, blank=True)
    consented_to_name = models.BooleanField(default=False)
    name = EncryptedTextField(blank=True)
    phone = EncryptedTextField(blank=True)
    phone_digest = models.CharField(max_length=64, blank=True, db_index=True)
    sms_opt_in = models.BooleanField(default=False)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    # A participant with an account (a host-state police officer, a local official) also gets
    # the follow-up in their inbox.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.pseudonym


class HarmCheck(EngagementRecord):
    """Do no harm: before a session or a community contact, who could be exposed, and how."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.PROTECT, related_name="harm_checks")
    contact = models.CharField(max_length=200, blank=True)  # the community contact, if no session
    exposed = models.TextField()
    how = models.TextField()
    measures = models.TextField(blank=True)
    risk = models.CharField(max_length=8, choices=Level.choices)
    outcome = models.CharField(max_length=24, choices=HarmOutcome.choices)
    checked_at = models.DateTimeField()
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"do-no-harm check #{self.pk}"


class Session(EngagementRecord):
    """One sitting of a dialogue: agenda, attendance counts, problems raised, minutes."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.PROTECT, related_name="sessions")
    harm_check = models.OneToOneField(HarmCheck, on_delete=models.PROTECT, related_name="session")
    held_on = models.DateField(validators=[within_date_window])
    place = models.CharField(max_length=200)
    agenda = models.TextField(blank=True)
    # Classified like any record: only those cleared for the session's level read them.
    minutes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"session of {self.held_on:%Y-%m-%d}"


class Attendance(EngagementRecord):
    """How many people of one group, sex and age band attended a session (numbers, not names)."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    group = models.CharField(max_length=24, choices=StakeholderGroup.choices)
    sex = models.CharField(max_length=12, choices=Sex.choices)
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, blank=True)
    count = models.PositiveIntegerField(validators=[MaxValueValidator(100000)])

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "group", "sex", "age_band"], name="engagement_one_count_per_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.count} {self.group}/{self.sex}"


class Problem(EngagementRecord):
    """A problem and its root cause raised in a session, tied to an incident type and area."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="problems")
    description = models.TextField()
    root_cause = models.TextField(blank=True)
    incident_type = models.CharField(max_length=32, choices=IncidentType.choices, blank=True)
    area_site = models.ForeignKey(
        "missions.FieldSite", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description[:60]


class Commitment(EngagementRecord):
    """What someone undertook in a session, by when, and where it stands."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.PROTECT, related_name="commitments")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="commitments")
    text = models.TextField()
    owner_kind = models.CharField(max_length=16, choices=OwnerKind.choices)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner_organisation = models.ForeignKey(
        "missions.PartnerOrganisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    owner_external = models.CharField(max_length=200, blank=True)
    due_on = models.DateField(validators=[within_date_window])
    status = models.CharField(
        max_length=12, choices=CommitmentStatus.choices, default=CommitmentStatus.PROPOSED
    )
    status_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    # Set by the overdue sweep the first time the commitment is found past its due date.
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    incidents = models.ManyToManyField("incidents.Incident", blank=True, related_name="+")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(owner_kind="user", owner_user__isnull=False)
                    | models.Q(owner_kind="organisation", owner_organisation__isnull=False)
                    | (models.Q(owner_kind="external") & ~models.Q(owner_external=""))
                ),
                name="engagement_commitment_has_its_owner",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def owner_label(self) -> str:
        if self.owner_kind == OwnerKind.USER and self.owner_user is not None:
            return str(self.owner_user)
        if self.owner_kind == OwnerKind.ORGANISATION and self.owner_organisation is not None:
            return str(self.owner_organisation)
        return self.owner_external


class CommitmentUpdate(EngagementRecord):
    """One status change of a commitment, with the evidence that justifies it."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="updates")
    from_status = models.CharField(max_length=12, choices=CommitmentStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=CommitmentStatus.choices)
    evidence = models.TextField()
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # How many opted-in participants the follow-up reached, by channel.
    sms_sent = models.PositiveIntegerField(default=0)
    inbox_sent = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


class FollowUpMessage(models.Model):
    """The follow-up SMS of one update to one participant: the alert network's message."""

    update = models.ForeignKey(CommitmentUpdate, on_delete=models.PROTECT, related_name="messages")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    message = models.OneToOneField(
        "alerts.OutboundMessage", on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"follow-up {self.pk}"


class Notice(models.Model):
    """An inbox notice for one person: a commitment changed, fell overdue, a certificate paused.

    Holds no content beyond a reference: the person opens the record (and is checked) to read.
    """

    class Kind(models.TextChoices):
        COMMITMENT_STATUS = "commitment_status", _("A commitment changed status")
        COMMITMENT_OVERDUE = "commitment_overdue", _("A commitment is overdue")
        CERTIFICATE_SUSPENDED = "certificate_suspended", _("A certificate was suspended")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    trainee = models.ForeignKey(
        "engagement.Trainee", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="engagement_notice_unread")]

    def __str__(self) -> str:
        return f"notice {self.pk} for {self.user_id}"


# --- community protection committees ---


class Committee(EngagementRecord):
    """A local protection committee: members, a protection plan, alerts it raises."""

    name = models.CharField(max_length=200)
    community = models.CharField(max_length=200)
    dialogue = models.ForeignKey(
        Dialogue, on_delete=models.PROTECT, null=True, blank=True, related_name="committees"
    )
    formed_on = models.DateField(validators=[within_date_window])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class CommitteeMember(EngagementRecord):
    """A member: their role and group; name and phone protected, the phone never shown
    outside the engagement team. Alerts from their number are the committee's alerts."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="members")
    pseudonym = models.CharField(max_length=32, unique=True)
    role_in_committee = models.CharField(max_length=120)
    group = models.CharField(max_length=24, choices=StakeholderGroup.choices)
    sex = models.CharField(max_length=12, choices=Sex.choices, default=Sex.UNDISCLOSED)
    name = EncryptedTextField(blank=True)
    phone = EncryptedTextField(blank=True)
    phone_digest = models.CharField(max_length=64, blank=True, db_index=True)
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.pseudonym


class ProtectionPlan(EngagementRecord):
    """A community protection plan: threats, the measures against them, owners, review date."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="plans")
    title = models.CharField(max_length=200)
    adopted_on = models.DateField(validators=[within_date_window])
    review_on = models.DateField(validators=[within_date_window])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-adopted_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(adopted_on__lte=models.F("review_on")),
                name="engagement_plan_review_after_adoption",
            )
        ]

    def __str__(self) -> str:
        return self.title


class PlanMeasure(EngagementRecord):
    """One threat of a plan and the measure against it, its owner and review date."""

    plan = models.ForeignKey(ProtectionPlan, on_delete=models.PROTECT, related_name="measures")
    threat = models.TextField()
    incident_type = models.CharField(max_length=32, choices=IncidentType.choices, blank=True)
    measure = models.TextField()
    owner = models.CharField(max_length=200)
    review_on = models.DateField(validators=[within_date_window])
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review_on", "id"]

    def __str__(self) -> str:
        return self.measure[:60]


# --- capacity building (tier III) ---


class TrainingRecord(ClassifiedRecord, VoidableRecord):
    """Courses for host-state police: scoped to the mission, unclassified by default."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    classification = models.PositiveSmallIntegerField(
        choices=Classification.choices, default=Classification.UNCLASSIFIED
    )

    access_resource: ClassVar[Resource] = Resource.TRAINING
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        abstract = True


class Course(TrainingRecord):
    title = models.CharField(max_length=200)
    topic = models.TextField(blank=True)
    # Score a trainee must reach in the post-test to pass.
    pass_mark = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class CourseSession(TrainingRecord):
    """One delivery of a course: dates, place, trainers."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    site = models.ForeignKey(
        "missions.FieldSite", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    starts_on = models.DateField(validators=[within_date_window])
    ends_on = models.DateField(validators=[within_date_window])
    place = models.CharField(max_length=200)
    trainers = models.CharField(max_length=500)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__lte=models.F("ends_on")),
                name="engagement_course_session_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.course} {self.starts_on:%Y-%m-%d}"


class TraineeResult(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Did not pass")
    WITHDRAWN = "withdrawn", _("Withdrew")


class CertificateStatus(models.TextChoices):
    NONE = "none", _("No certificate")
    ISSUED = "issued", _("Issued")
    SUSPENDED = "suspended", _("Suspended")


class Trainee(TrainingRecord):
    """A host-state officer on a course; their unit must pass the HRDDP gate for training."""

    session = models.ForeignKey(CourseSession, on_delete=models.PROTECT, related_name="trainees")
    unit = models.ForeignKey(
        "missions.PartnerOrganisation", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200)
    rank = models.CharField(max_length=80, blank=True)
    sex = models.CharField(max_length=12, choices=Sex.choices, default=Sex.UNDISCLOSED)
    # The gate's answer at enrolment, kept as it was said.
    gate_reason = models.CharField(max_length=500)
    gate_decision_id = models.BigIntegerField(null=True, blank=True)
    pre_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    post_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    result = models.CharField(
        max_length=12, choices=TraineeResult.choices, default=TraineeResult.ENROLLED
    )
    certificate = models.CharField(
        max_length=12, choices=CertificateStatus.choices, default=CertificateStatus.NONE
    )
    certificate_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=500, blank=True)
    enrolled_at = models.DateTimeField()
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Observation(TrainingRecord):
    """A follow-up observation of a trainee at work, so a course reports more than attendance."""

    trainee = models.ForeignKey(Trainee, on_delete=models.PROTECT, related_name="observations")
    observed_on = models.DateField(validators=[within_date_window])
    # 1 (not applying the course) to 5 (applying it fully).
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    note = models.TextField()
    observed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-observed_on", "-id"]

    def __str__(self) -> str:
        return f"observation #{self.pk}"

"""Incidents: what happened to civilians, where, when, by whom, graded and classified."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bluebox.core.bounds import ListOfChoices, within_date_window
from bluebox.core.classification import Compartment
from bluebox.core.crypto import EncryptedTextField, open_bytes
from bluebox.core.models import ClassifiedRecord, VoidableRecord
from bluebox.core.roles import Resource
from bluebox.incidents.primacy import WEAPON_CHOICES


class IncidentType(models.TextChoices):
    KILLING = "killing", _("Killing")
    ABDUCTION = "abduction", _("Abduction")
    SGBV = "sgbv", _("Sexual and gender-based violence")
    LOOTING = "looting", _("Looting")
    ARMED_ROBBERY = "armed_robbery", _("Armed robbery")
    ATTACK_ON_SITE = "attack_on_site", _("Attack on an IDP or POC site")
    ROADBLOCK = "roadblock", _("Illegal roadblock or extortion")
    INTERCOMMUNAL_CLASH = "intercommunal_clash", _("Intercommunal clash")
    THREAT = "threat", _("Threat or intimidation")
    ARSON = "arson", _("Arson")
    ARMED_CLASH = "armed_clash", _("Armed clash")
    # Kept apart so imported ACLED events keep their meaning (docs/incidents.md, taxonomy).
    ASSAULT = "assault", _("Physical assault, no one killed")
    EXPLOSION = "explosion", _("Explosion or remote violence")
    PROTEST = "protest", _("Protest or demonstration")
    ARREST = "arrest", _("Arrest")
    STRATEGIC_DEVELOPMENT = "strategic_development", _("Non-violent development")


class PerpetratorCategory(models.TextChoices):
    ARMED_GROUP = "armed_group", _("Armed group")
    CRIMINAL_GROUP = "criminal_group", _("Criminal group")
    HOST_STATE_FORCES = "host_state_forces", _("Host-state security forces")
    FOREIGN_STATE_FORCES = "foreign_state_forces", _("Foreign state or external forces")
    MILITIA = "militia", _("Militia")
    UNKNOWN = "unknown", _("Unknown")


class DatePrecision(models.TextChoices):
    MINUTE = "minute", _("To the minute")
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class LocationPrecision(models.IntegerChoices):
    """UCDP's where_prec scale: 1 exact place ... 7 country or waters."""

    EXACT = 1, _("Exact location")
    NEAR = 2, _("Within about 25 km")
    ADMIN2 = 3, _("Second-order administrative area")
    ADMIN1 = 4, _("First-order administrative area")
    LINEAR = 5, _("Linear feature or larger area")
    COUNTRY = 6, _("Country")
    WATERS = 7, _("International waters or airspace")


class PocTier(models.IntegerChoices):
    DIALOGUE = 1, _("Tier I: dialogue and engagement")
    PHYSICAL = 2, _("Tier II: physical protection")
    ENVIRONMENT = 3, _("Tier III: protective environment")


class PocPhase(models.TextChoices):
    PREVENTION = "prevention", _("Prevention")
    PRE_EMPTION = "pre_emption", _("Pre-emption")
    RESPONSE = "response", _("Response")
    CONSOLIDATION = "consolidation", _("Consolidation")


class IncidentStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    VERIFIED = "verified", _("Verified")
    RESPONDED = "responded", _("Responded")
    CLOSED = "closed", _("Closed")
    VOIDED = "voided", _("Voided")


RELIABILITY = [(c, c) for c in "ABCDEF"]


class ViolenceType(models.IntegerChoices):
    """UCDP's type_of_violence, kept for imported events so counts match the source."""

    STATE_BASED = 1, _("State-based conflict")
    NON_STATE = 2, _("Non-state conflict")
    ONE_SIDED = 3, _("One-sided violence against civilians")


class ThreatNature(models.TextChoices):
    """Blue box: police primacy; green box: military primacy."""

    BLUE = "blue", _("Police primacy (blue box)")
    GREEN = "green", _("Military primacy (green box)")


class Incident(ClassifiedRecord, VoidableRecord):
    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    # Sector and site lookups use the (sector | site, occurred_at, id) indexes in Meta, which
    # lead with the key; a second single-column index would only slow every insert.
    sector = models.ForeignKey(
        "missions.Sector",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    site = models.ForeignKey(
        "missions.FieldSite",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    incident_type = models.CharField(max_length=32, choices=IncidentType.choices)
    occurred_at = models.DateTimeField(db_index=True, validators=[within_date_window])
    date_precision = models.CharField(
        max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    latitude = models.FloatField(validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(validators=[MinValueValidator(-180), MaxValueValidator(180)])
    location_precision = models.PositiveSmallIntegerField(
        choices=LocationPrecision.choices, default=LocationPrecision.EXACT
    )
    admin1 = models.CharField(max_length=120, blank=True)
    admin2 = models.CharField(max_length=120, blank=True)
    h3_cell = models.CharField(max_length=16, blank=True, db_index=True)
    priogrid_gid = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    perpetrator_category = models.CharField(
        max_length=24, choices=PerpetratorCategory.choices, default=PerpetratorCategory.UNKNOWN
    )
    perpetrator_actor = models.CharField(max_length=200, blank=True)
    civilian_targeting = models.BooleanField(default=True)
    fatalities_best = models.PositiveIntegerField(default=0)
    fatalities_low = models.PositiveIntegerField(default=0)
    fatalities_high = models.PositiveIntegerField(default=0)
    # Civilians among the dead where the source says (UCDP deaths_civilians); None = not known.
    fatalities_civilians = models.PositiveIntegerField(null=True, blank=True)
    victims_women = models.PositiveIntegerField(default=0)
    victims_men = models.PositiveIntegerField(default=0)
    victims_girls = models.PositiveIntegerField(default=0)
    victims_boys = models.PositiveIntegerField(default=0)
    victims_unknown = models.PositiveIntegerField(default=0)
    weapons = models.JSONField(default=list, blank=True, validators=[ListOfChoices(WEAPON_CHOICES)])
    poc_tier = models.PositiveSmallIntegerField(choices=PocTier.choices, default=PocTier.PHYSICAL)
    poc_phase = models.CharField(max_length=16, choices=PocPhase.choices, default=PocPhase.RESPONSE)
    source_reliability = models.CharField(max_length=1, choices=RELIABILITY, default="F")
    information_credibility = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    status = models.CharField(
        max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.REPORTED
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField()
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    # What the analyst found when verifying (sources checked, why the grading changed).
    verification_note = models.TextField(blank=True)
    # The grading before verification ("F6"), so the history shows what the re-grade changed.
    grading_before_verification = models.CharField(max_length=2, blank=True)
    # Where an imported or generated record came from; (source, external_id) makes imports
    # idempotent.
    source = models.CharField(max_length=32, default="bluebox")
    external_id = models.CharField(max_length=64, blank=True)
    # The imported row's columns as received (ACLED's and UCDP's own codes and words), so nothing
    # the source said is lost and an ACLED export gives back what came in.
    source_record = models.JSONField(default=dict, blank=True)
    # Named actors beyond the main perpetrator (UCDP side_b, ACLED actor2 and associates).
    actors = models.JSONField(default=list, blank=True)
    violence_type = models.PositiveSmallIntegerField(
        choices=ViolenceType.choices, null=True, blank=True
    )
    occurred_until = models.DateTimeField(null=True, blank=True)
    location_name = models.CharField(max_length=200, blank=True)
    # Threat nature as classified by the mission's rule set, with the reason shown to users;
    # ``primacy`` is who holds the threat now (changes only through a recorded handover).
    threat_nature = models.CharField(max_length=8, choices=ThreatNature.choices, blank=True)
    threat_nature_reason = models.TextField(blank=True)
    primacy = models.CharField(max_length=8, choices=ThreatNature.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Set when an analyst merges this record into another that reports the same event: the
    # record is then voided (kept, out of lists and counts), and the merge says what changed.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_records"
    )

    access_resource: ClassVar[Resource] = Resource.INCIDENT
    access_scope: ClassVar[dict[str, str | None]] = {
        "mission": "mission_id",
        "sector": "sector_id",
        "site": "site_id",
    }
    # Its marking is lowered only through a two-person request (core/downgrades.py), whose
    # pages name the record with this word and link to this page.
    access_downgrade: ClassVar[dict[str, Any]] = {
        "page": "incident-detail",
        "label": _("Incident"),
    }
    # How a sharing agreement's criteria read on an incident (core.access.agreement_q).
    access_share: ClassVar[dict[str, dict[str, str]]] = {
        "criteria": {
            "incident_types": "incident_type",
            "perpetrator_categories": "perpetrator_category",
            "covers_from": "occurred_at",
        }
    }

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "source", "external_id"],
                condition=~models.Q(external_id=""),
                name="unique_incident_external_id",
            ),
            models.CheckConstraint(
                condition=models.Q(fatalities_low__lte=models.F("fatalities_best"))
                & models.Q(fatalities_best__lte=models.F("fatalities_high")),
                name="fatalities_low_best_high_ordered",
            ),
        ]
        # The list's ordering under each scope the access filter can use (mission-wide roles,
        # a sector, a site), so a page — first or ten thousandth — is a short index range scan.
        indexes = [
            models.Index(fields=["mission", "-occurred_at", "-id"], name="incident_mission_newest"),
            models.Index(fields=["sector", "-occurred_at", "-id"], name="incident_sector_newest"),
            models.Index(fields=["site", "-occurred_at", "-id"], name="incident_site_newest"),
        ]

    def __str__(self) -> str:
        return self.title


class IncidentPhoto(models.Model):
    """A photo sent with an incident report, readable by whoever may read the incident.

    It has no marking of its own: it is reached only through its incident
    (``incidents.selectors.photo_for``), so it follows the incident's classification,
    compartments and sharing, and a downgrade of the incident lowers it with it. The bytes are
    stored encrypted like protected identities (``EncryptedTextField``, the base64 of the file
    under the field keys, rotated by ``bluebox keys rotate``), after the photo was encoded
    again without its metadata (``incidents/photos.py``: no EXIF, so no GPS position).
    """

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="photos")
    filename = models.CharField(max_length=100)
    content_type = models.CharField(max_length=20)
    sealed = EncryptedTextField()
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["incident", "id"]

    def __str__(self) -> str:
        return self.filename

    def read(self) -> bytes:
        """The photo's bytes; :class:`~bluebox.core.crypto.UnreadableValueError` without its key.

        Only for code that has already authorised the read of the incident.
        """
        return open_bytes(self.sealed)


class IncidentLink(models.Model):
    """Two reports of the same incident (or a follow-up), linked by an analyst."""

    class Kind(models.TextChoices):
        SAME_INCIDENT = "same_incident", _("Same incident")
        RELATED = "related", _("Related")

    from_incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="links_out")
    to_incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="links_in")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SAME_INCIDENT)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_incident", "to_incident"], name="unique_incident_link"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_incident=models.F("to_incident")), name="no_self_link"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_incident_id} {self.kind} {self.to_incident_id}"


class IncidentMerge(models.Model):
    """Two records of one event made one: the duplicate is voided as merged into the kept one.

    ``before`` holds the fields the merge changed on both records, ``moved`` the records of
    this and other apps that now point at the kept one (protected people, responses, alerts),
    so undoing the merge puts them back. Both records keep the higher classification of the
    two even after an undo: lowering one is a downgrade, which takes a second person.
    """

    kept = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="merges_in")
    duplicate = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="merges_out")
    note = models.TextField(blank=True)
    before = models.JSONField(default=dict)
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField()
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undo_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["merged_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kept=models.F("duplicate")), name="no_self_merge"
            ),
            # A record is merged away at most once at a time.
            models.UniqueConstraint(
                fields=["duplicate"],
                condition=models.Q(undone_at__isnull=True),
                name="one_live_merge_per_duplicate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.duplicate_id} merged into {self.kept_id}"


class IncidentResponse(models.Model):
    """Who responded to an incident, when, and how."""

    class Mode(models.TextChoices):
        PATROL = "patrol", _("Patrol dispatched")
        QRF = "qrf", _("Quick reaction force")
        PRESENCE = "presence", _("Static presence")
        HOST_POLICE = "host_police", _("Referred to host-state police")
        MEDIATION = "mediation", _("Mediation or engagement")
        REFERRAL = "referral", _("Referral to services")
        OTHER = "other", _("Other")

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="responses")
    mode = models.CharField(max_length=16, choices=Mode.choices)
    unit = models.CharField(max_length=120, blank=True)
    responded_at = models.DateTimeField()
    description = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["responded_at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.mode} {self.responded_at:%Y-%m-%d}"


class PrimacyDecision(models.Model):
    """A recorded handover of primacy between police and military, with who and when."""

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="primacy_decisions"
    )
    from_primacy = models.CharField(max_length=8, choices=ThreatNature.choices, blank=True)
    to_primacy = models.CharField(max_length=8, choices=ThreatNature.choices)
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.from_primacy or '-'} -> {self.to_primacy}"


class ProtectedPersonKind(models.TextChoices):
    INFORMANT = "informant", _("Informant")
    SURVIVOR = "survivor", _("SGBV survivor")
    VICTIM = "victim", _("Victim")
    WITNESS = "witness", _("Witness")


# Which compartment holds the identity of each kind of protected person.
IDENTITY_COMPARTMENT = {
    ProtectedPersonKind.INFORMANT: Compartment.SOURCE,
    ProtectedPersonKind.SURVIVOR: Compartment.SGBV,
    ProtectedPersonKind.VICTIM: Compartment.SGBV,
    ProtectedPersonKind.WITNESS: Compartment.SOURCE,
}


class ProtectedPerson(ClassifiedRecord, VoidableRecord):
    """An informant, survivor, victim or witness: pseudonym in the clear, identity encrypted.

    The record itself (pseudonym, kind, link to the incident) follows ordinary classification;
    the identity and contact are readable only by holders of ``identity_compartment``, through
    :func:`bluebox.incidents.services.protected_person_reveal` with a stated purpose.
    """

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey(
        "missions.Sector", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    site = models.ForeignKey(
        "missions.FieldSite", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, null=True, blank=True, related_name="protected_people"
    )
    kind = models.CharField(max_length=16, choices=ProtectedPersonKind.choices)
    pseudonym = models.CharField(max_length=32, unique=True)
    identity_compartment = models.PositiveSmallIntegerField(choices=Compartment.choices)
    identity = EncryptedTextField()
    contact = EncryptedTextField(blank=True)
    sex = models.CharField(max_length=8, blank=True)
    age_group = models.CharField(max_length=8, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    access_resource: ClassVar[Resource] = Resource.PROTECTED_PERSON
    access_scope: ClassVar[dict[str, str | None]] = {
        "mission": "mission_id",
        "sector": "sector_id",
        "site": "site_id",
    }

    class Meta:
        ordering = ["pseudonym"]

    def __str__(self) -> str:
        return self.pseudonym


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Imported")
    REFUSED = "refused", _("Refused: bad rows")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """A UCDP GED or ACLED file uploaded through the web or API, imported in the background.

    The uploaded file lives under the data directory only until the job ends; its hash, size
    and the per-row report stay. Progress while it runs is kept outside the database (see
    :mod:`bluebox.core.progress`), because the import holds one transaction for the
    whole file. Visible to whoever may import into the job's mission.
    """

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    fmt = models.CharField(max_length=8, choices=[("ucdp", "UCDP GED"), ("acled", "ACLED")])
    filename = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_name = models.CharField(max_length=64, blank=True)  # under <data dir>/imports/
    status = models.CharField(
        max_length=8, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # at most MAX_REPORTED_ERRORS rows
    message = models.CharField(max_length=300, blank=True)
    # Events outside the mission's boundary refuse the file unless the uploader accepted them
    # (after checking the file is this mission's): their count, and a sample for the map.
    accept_outside = models.BooleanField(default=False)
    outside = models.PositiveIntegerField(default=0)
    outside_sample = models.JSONField(default=list, blank=True)  # [[latitude, longitude], ...]
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # The right to see a job is the right to import into its mission.
    access_resource: ClassVar[Resource] = Resource.INCIDENT_WORKFLOW
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["mission", "status"], name="import_job_mission_status")]
        constraints = [
            # One import at a time per mission, so "all rows or none" holds for each file.
            models.UniqueConstraint(
                fields=["mission"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_active_import_per_mission",
            )
        ]

    def __str__(self) -> str:
        return f"{self.fmt} import {self.filename} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)

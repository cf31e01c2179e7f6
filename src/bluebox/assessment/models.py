"""Assessment: survey forms in XLSForm, their submissions from phones, and outcome indicators.

A :class:`SurveyForm` is one questionnaire of a mission (its XLSForm ``form_id``); each upload
that changes it is a :class:`FormVersion`, converted to an XForm by pyxform and kept with the
file it came from. :class:`FormAssignment` says where (mission, sector or site) and when a form
is collected. A :class:`Submission` is one filled-in form as ODK Collect (or an import) sent it,
keyed by its ``instanceID``; an edit is a new submission naming the one it replaces
(``deprecatedID``), which stops being current. Submissions inherit the form's classification
and compartments: free-text answers are read under the same rules as any record.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bluebox.core.classification import Classification
from bluebox.core.crypto import EncryptedTextField, open_bytes, seal_bytes
from bluebox.core.models import ClassifiedRecord, DerivedRecord, VoidableRecord
from bluebox.core.roles import Resource


class FormStatus(models.TextChoices):
    OPEN = "open", _("Open for submissions")
    CLOSED = "closed", _("Closed")


class SurveyForm(ClassifiedRecord, VoidableRecord):
    """One questionnaire of a mission, across its versions."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    # The XLSForm settings ``form_id``: what ODK Collect and submissions call the form.
    form_id = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=8, choices=FormStatus.choices, default=FormStatus.OPEN)
    # Answers naming the field site they were collected at (a site code), if the form asks.
    site_field = models.CharField(max_length=64, blank=True, default="site")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    classification = models.PositiveSmallIntegerField(
        choices=Classification.choices, default=Classification.UNCLASSIFIED
    )

    access_resource: ClassVar[Resource] = Resource.SURVEY
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["mission", "form_id"], name="one_form_id_per_mission")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def current_version(self) -> FormVersion | None:
        return self.versions.order_by("-uploaded_at", "-id").first()


class FormVersion(models.Model):
    """One upload of a form: the XLSForm as sent, the XForm pyxform made of it."""

    form = models.ForeignKey(SurveyForm, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=64)
    xlsform_name = models.CharField(max_length=200)
    xlsform = models.BinaryField()
    xform = models.TextField()
    # ``md5:<hex>`` of the XForm, as the OpenRosa form list announces it.
    md5 = models.CharField(max_length=32)
    # The form's own languages ("English (en)", "Français (fr)"), default first.
    languages = models.JSONField(default=list)
    # The questions, for analysis: [{"name", "path", "type", "label": {lang: text}, "choices"}].
    questions = models.JSONField(default=list)
    # Media the form refers to (images, CSV choice lists), to be uploaded beside it.
    media_expected = models.JSONField(default=list)
    warnings = models.JSONField(default=list)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    access_resource: ClassVar[Resource] = Resource.SURVEY
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "form__mission_id"}

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "version"], name="one_version_string_per_form")
        ]

    def __str__(self) -> str:
        return f"{self.form.form_id} v{self.version}"


class FormMedia(models.Model):
    """A media file of a form version (an image, a CSV of choices), listed in its manifest."""

    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="media")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    md5 = models.CharField(max_length=32)

    access_resource: ClassVar[Resource] = Resource.SURVEY
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "version__form__mission_id"}

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "filename"], name="one_media_file_per_name")
        ]

    def __str__(self) -> str:
        return self.filename


class FormAssignment(models.Model):
    """Where and when a form is collected: the whole mission, one sector or one site."""

    form = models.ForeignKey(SurveyForm, on_delete=models.PROTECT, related_name="assignments")
    sector = models.ForeignKey(
        "missions.Sector", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    site = models.ForeignKey(
        "missions.FieldSite", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opens_on = models.DateField()
    closes_on = models.DateField()
    # A round of the survey ("2026 Q4"): trends compare rounds.
    round_label = models.CharField(max_length=64, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField()

    access_resource: ClassVar[Resource] = Resource.SURVEY
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "form__mission_id"}

    class Meta:
        ordering = ["opens_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="assignment_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=models.Q(sector__isnull=True) | models.Q(site__isnull=True),
                name="assignment_to_a_sector_or_a_site",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form} {self.opens_on}–{self.closes_on}"


class SubmissionSource(models.TextChoices):
    OPENROSA = "openrosa", _("ODK Collect")
    KOBO = "kobo", _("KoBoToolbox")
    CENTRAL = "central", _("ODK Central")
    FILE = "file", _("Submissions file")


class Submission(ClassifiedRecord, VoidableRecord):
    """One filled-in form, keyed by its ``instanceID``, with the form's protection."""

    form = models.ForeignKey(SurveyForm, on_delete=models.PROTECT, related_name="submissions")
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="+")
    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey(
        "missions.Sector", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    site = models.ForeignKey(
        "missions.FieldSite", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    instance_id = models.CharField(max_length=128)
    # The submission this one edits (its ``deprecatedID``); the edited one is no longer current.
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    is_current = models.BooleanField(default=True)
    xml = models.TextField()
    xml_sha256 = models.CharField(max_length=64)
    # The answers, flattened: {"trust": "yes", "group/age": "34"}.
    answers = models.JSONField(default=dict)
    # Files the answers name (photos, recordings) and whether they have all arrived.
    attachments_expected = models.JSONField(default=list)
    complete = models.BooleanField(default=False)
    source = models.CharField(
        max_length=16, choices=SubmissionSource.choices, default=SubmissionSource.OPENROSA
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    device_id = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField()
    round_label = models.CharField(max_length=64, blank=True)

    access_resource: ClassVar[Resource] = Resource.SURVEY_RESPONSE
    access_scope: ClassVar[dict[str, str | None]] = {
        "mission": "mission_id",
        "sector": "sector_id",
        "site": "site_id",
    }

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "instance_id"], name="one_submission_per_instance_id"
            )
        ]
        indexes = [models.Index(fields=["form", "is_current"], name="submission_form_current")]

    def __str__(self) -> str:
        return f"{self.form.form_id} {self.instance_id}"


class SubmissionAttachment(models.Model):
    """A file sent with a submission, possibly in a later request than its XML.

    Photos and recordings of respondents are stored encrypted like protected identities
    (``EncryptedTextField``, base64 of the file under the field keys), so they rotate with
    ``bluebox keys rotate`` and a copy of the database file shows none of them.
    """

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    sealed = EncryptedTextField(blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    received_at = models.DateTimeField()

    access_resource: ClassVar[Resource] = Resource.SURVEY_RESPONSE
    access_scope: ClassVar[dict[str, str | None]] = {
        "mission": "submission__mission_id",
        "sector": "submission__sector_id",
        "site": "submission__site_id",
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "filename"], name="one_attachment_per_name"
            )
        ]

    def __str__(self) -> str:
        return self.filename

    @staticmethod
    def seal(content: bytes) -> str:
        """The value to store in ``sealed`` for a file's bytes (encrypted when saved)."""
        return seal_bytes(content)

    def read(self) -> bytes:
        """The file's bytes; :class:`~bluebox.core.crypto.UnreadableValueError` without its key.

        Only for code that has already authorised the read of the submission.
        """
        return open_bytes(self.sealed)


class CollectorCredential(models.Model):
    """A password for one phone's ODK Collect, standing for its holder on OpenRosa only.

    Stored as the SHA-256 of a 256-bit random secret (shown once), like API tokens: revoking it
    cuts off one lost phone without touching the person's own password, and it opens no page,
    API or session.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collector_credentials"
    )
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


# --- outcome indicators ----------------------------------------------------------------------


class IndicatorUnit(models.TextChoices):
    PER_10K = "per_10k", _("per 10,000 people")
    PERCENT = "percent", _("percent")
    COUNT = "count", _("count")


class IndicatorFrequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class IndicatorSource(models.TextChoices):
    COMPUTED = "computed", _("Computed from the registers")
    ENTERED = "entered", _("Entered with evidence")


class Indicator(models.Model):
    """An outcome indicator in the CPAS style: what it measures and how it is obtained."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    definition = models.TextField()
    unit = models.CharField(max_length=16, choices=IndicatorUnit.choices)
    baseline = models.FloatField(null=True, blank=True)
    target = models.FloatField(null=True, blank=True)
    higher_is_better = models.BooleanField(default=True)
    disaggregation = models.CharField(max_length=200, blank=True)
    frequency = models.CharField(
        max_length=16, choices=IndicatorFrequency.choices, default=IndicatorFrequency.MONTHLY
    )
    source = models.CharField(max_length=16, choices=IndicatorSource.choices)
    # For computed indicators, the name of the computation (assessment/indicators.py).
    computation = models.CharField(max_length=64, blank=True)
    # For a survey indicator: the form, question and answer counted.
    survey_form = models.ForeignKey(
        SurveyForm, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    survey_question = models.CharField(max_length=64, blank=True)
    survey_value = models.CharField(max_length=64, blank=True)
    data_source = models.CharField(max_length=200, blank=True)
    owner = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    access_resource: ClassVar[Resource] = Resource.INDICATOR
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        ordering = ["code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "code"], name="one_indicator_code_per_mission"
            ),
            models.CheckConstraint(
                condition=~models.Q(source="computed") | ~models.Q(computation=""),
                name="computed_indicator_names_its_computation",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(DerivedRecord):
    """One value of an indicator for a period, mission-wide or for one sector.

    A computed value carries the protection of the register it was computed from
    (``DerivedRecord``): it was computed for one audience from the records within that audience
    only, and only those cleared for it see it. An entered value has no label (a person wrote
    it) and carries its evidence.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    period_start = models.DateField()
    period_end = models.DateField()
    sector = models.ForeignKey(
        "missions.Sector", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    value = models.FloatField(null=True, blank=True)  # None: suppressed or not computable
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    lower = models.FloatField(null=True, blank=True)
    upper = models.FloatField(null=True, blank=True)
    suppressed = models.BooleanField(default=False)
    # Where the number comes from: the register, the records counted, the rule applied.
    provenance = models.JSONField(default=dict)
    evidence = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    access_resource: ClassVar[Resource] = Resource.INDICATOR
    access_scope: ClassVar[dict[str, str | None]] = {
        "mission": "indicator__mission_id",
        "sector": "sector_id",
    }

    class Meta:
        ordering = ["indicator", "period_start", "sector", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "indicator",
                    "period_start",
                    "sector",
                    "inputs_classification",
                    "inputs_compartments",
                    "inputs_sector_id",
                    "inputs_site_id",
                ],
                name="one_indicator_value_per_audience",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period_start}"


# --- pulls from KoBoToolbox and ODK Central ----------------------------------------------------


class RemoteKind(models.TextChoices):
    KOBO = "kobo", _("KoBoToolbox (API v2)")
    CENTRAL = "central", _("ODK Central (OData)")


class RemoteSource(models.Model):
    """The server a form's submissions are pulled from, and how far the pulls have got.

    The credential (a KoBoToolbox API token, an ODK Central password or app user token) is
    stored encrypted under the field keys and never shown again: pages say only that one is
    stored. The cursor is the submission time of the newest submission stored by a pull, with
    the instanceIDs stored at that very time: the next pull asks the server for submissions
    from that time on, so a pull that stopped half-way continues after its last stored page.
    """

    form = models.OneToOneField(SurveyForm, on_delete=models.PROTECT, related_name="remote")
    kind = models.CharField(max_length=8, choices=RemoteKind.choices)
    base_url = models.URLField(max_length=300)
    # KoBoToolbox: the asset's uid. ODK Central: the project's number and the form's xmlFormId.
    asset_uid = models.CharField(max_length=64, blank=True)
    project_id = models.PositiveIntegerField(null=True, blank=True)
    xml_form_id = models.CharField(max_length=64, blank=True)
    # ODK Central: the web user's email (with a password), empty for an app user token.
    username = models.CharField(max_length=200, blank=True)
    credential = EncryptedTextField()
    cursor_at = models.DateTimeField(null=True, blank=True)
    cursor_ids = models.JSONField(default=list, blank=True)
    configured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    configured_at = models.DateTimeField()

    access_resource: ClassVar[Resource] = Resource.SURVEY
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "form__mission_id"}

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.base_url}"


class PullStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Stopped at a bad submission")
    FAILED = "failed", _("Failed")


class PullJob(models.Model):
    """One pull of a form's new submissions from its server, run in the background.

    Each page the server sends is stored in its own transaction with the source's cursor, and
    the counts here, so the page polls this row; a pull that stops (the server fails, the
    worker dies) keeps every page stored before it, and the next pull goes on from there.
    """

    form = models.ForeignKey(SurveyForm, on_delete=models.PROTECT, related_name="pulls")
    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=RemoteKind.choices)
    status = models.CharField(max_length=8, choices=PullStatus.choices, default=PullStatus.QUEUED)
    since = models.DateTimeField(null=True, blank=True)  # the cursor the pull started from
    total = models.PositiveIntegerField(null=True, blank=True)  # as the server counted them
    pages = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    edits = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    attachments = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # Seen by whoever may manage the form (see selectors.pull_get).
    access_resource: ClassVar[Resource] = Resource.SURVEY
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One pull at a time per form: two would store the same pages twice over.
            models.UniqueConstraint(
                fields=["form"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_active_pull_per_form",
            )
        ]

    def __str__(self) -> str:
        return f"pull {self.pk} of {self.form_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (PullStatus.QUEUED, PullStatus.RUNNING)

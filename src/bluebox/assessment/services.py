"""Writes on assessment records: forms and their versions, assignments, collector passwords,
and submissions received from ODK Collect or imported.

Each is atomic, authorized through :mod:`bluebox.core.access` and audited.
:func:`submission_receive` is the one path every submission takes, whatever its channel: it is
idempotent on the ``instanceID`` (the same XML again adds only the attachments not yet
received; other XML under the same ID is a :class:`Conflict`), and a ``deprecatedID`` makes it
an edit that replaces the current submission.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bluebox.assessment import indicators, xlsform
from bluebox.assessment.models import (
    CollectorCredential,
    FormAssignment,
    FormMedia,
    FormStatus,
    FormVersion,
    Indicator,
    IndicatorFrequency,
    IndicatorSource,
    IndicatorValue,
    Submission,
    SurveyForm,
)
from bluebox.assessment.receiving import (
    MAX_ATTACHMENT_BYTES,
    Conflict,
    Received,
    submission_receive,
)
from bluebox.core import access, audit
from bluebox.core.classification import Classification
from bluebox.core.exceptions import NotVisible, ServiceError
from bluebox.core.roles import Resource
from bluebox.missions.models import FieldSite, Sector

# Receiving a submission is a service like the others; it lives in receiving.py so the worker's
# pulls store submissions through the same path.
__all__ = ["MAX_ATTACHMENT_BYTES", "Conflict", "Received", "submission_receive"]

COLLECTOR_PREFIX = "bbc_"


def _problems_text(problems: list[xlsform.FormProblem]) -> list[str]:
    out = []
    for p in problems:
        where = []
        if p.sheet:
            where.append(f"sheet {p.sheet}")
        if p.row is not None:
            where.append(f"row {p.row}")
        out.append(f"{', '.join(where)}: {p.message}" if where else p.message)
    return out


@transaction.atomic
def form_upload(
    *,
    actor: Any,
    mission_id: int,
    content: bytes,
    filename: str,
    classification: int = Classification.UNCLASSIFIED,
    compartments: int = 0,
    at: datetime | None = None,
) -> FormVersion:
    """Validate an XLSForm with pyxform and store it as a new version of its form.

    The same file (same XForm) again is a no-op that returns the stored version; a changed form
    under a version string already used is refused: ODK Collect would not fetch it again.
    """
    at = at or timezone.now()
    access.require_in_scope(
        actor,
        Resource.SURVEY,
        "manage",
        mission_id=mission_id,
        classification=classification,
        compartments=compartments,
    )
    try:
        converted = xlsform.convert(content, filename)
    except xlsform.XLSFormError as exc:
        texts = _problems_text(exc.problems)
        raise ServiceError(
            "The XLSForm was refused: " + "; ".join(texts[:5]), field_errors={"xlsform": texts}
        ) from exc
    form = (
        SurveyForm.objects.select_for_update()
        .filter(mission_id=mission_id, form_id=converted.form_id)
        .first()
    )
    if form is not None and form.is_voided:
        raise ServiceError(
            f"The form {converted.form_id} was voided; give the new one another form_id.",
            field_errors={"xlsform": ["form_id of a voided form"]},
        )
    if form is None:
        form = SurveyForm.objects.create(
            mission_id=mission_id,
            form_id=converted.form_id,
            title=converted.title,
            created_by=actor,
            created_at=at,
            classification=classification,
            compartments=compartments,
        )
        audit.record_for(form, actor=actor, action="survey-form-create")
    existing = form.versions.filter(version=converted.version).first()
    if existing is not None:
        if existing.md5 == converted.md5:
            return existing
        raise ServiceError(
            f"Version {converted.version} of {converted.form_id} is already in use with other "
            "content: raise the version in the settings sheet.",
            field_errors={"xlsform": ["sheet settings: version already used"]},
        )
    version = FormVersion.objects.create(
        form=form,
        version=converted.version,
        xlsform_name=filename[:200],
        xlsform=content,
        xform=converted.xform,
        md5=converted.md5,
        languages=converted.languages,
        questions=converted.questions,
        media_expected=converted.media_expected,
        warnings=converted.warnings,
        uploaded_by=actor,
        uploaded_at=at,
    )
    if form.title != converted.title:
        form.title = converted.title
        form.save(update_fields=["title"])
    audit.record_for(
        form,
        actor=actor,
        action="survey-form-version",
        detail={"version": version.version, "md5": version.md5},
    )
    return version


def _managed_form(actor: Any, form_pk: int, action: str = "manage") -> SurveyForm:
    form = access.get_visible(actor, SurveyForm.objects.all(), pk=form_pk)
    access.require_in_scope(
        actor,
        Resource.SURVEY,
        action,
        object_id=form.pk,
        mission_id=form.mission_id,
        classification=form.classification,
        compartments=form.compartments,
    )
    return form


@transaction.atomic
def form_media_add(
    *, actor: Any, version_id: int, filename: str, content: bytes, content_type: str
) -> FormMedia:
    version = FormVersion.objects.select_related("form").filter(pk=version_id).first()
    if version is None:
        raise access.refuse_lookup(actor, FormVersion.objects.all(), action="manage", pk=version_id)
    _managed_form(actor, version.form_id)
    name = filename.rsplit("/", 1)[-1].strip()
    if name not in version.media_expected:
        raise ServiceError(
            f"The form does not use a media file named {name or '(empty)'}.",
            field_errors={"file": [f"Expected one of: {', '.join(version.media_expected)}"]},
        )
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise ServiceError("The media file is larger than 10 MB.", field_errors={"file": ["Size"]})
    media, _ = FormMedia.objects.update_or_create(
        version=version,
        filename=name,
        defaults={
            "content": content,
            "content_type": content_type[:100] or "application/octet-stream",
            "md5": hashlib.md5(content, usedforsecurity=False).hexdigest(),
        },
    )
    audit.record_for(version.form, actor=actor, action="survey-form-media", detail={"file": name})
    return media


@transaction.atomic
def form_assign(
    *,
    actor: Any,
    form_pk: int,
    opens_on: date,
    closes_on: date,
    sector_id: int | None = None,
    site_id: int | None = None,
    round_label: str = "",
) -> FormAssignment:
    """Collect a form in the whole mission, one sector or one site, between two dates."""
    form = _managed_form(actor, form_pk)
    if sector_id and site_id:
        raise ServiceError(
            "Assign a form to a sector or to a site, not both.",
            field_errors={"site": ["A sector or a site, not both."]},
        )
    if closes_on < opens_on:
        raise ServiceError(
            "The closing date is before the opening date.",
            field_errors={"closes_on": ["Before the opening date."]},
        )
    if sector_id and not Sector.objects.filter(pk=sector_id, mission_id=form.mission_id).exists():
        raise ServiceError("No such sector in this mission.", field_errors={"sector": ["Unknown"]})
    if site_id and not FieldSite.objects.filter(pk=site_id, mission_id=form.mission_id).exists():
        raise ServiceError("No such site in this mission.", field_errors={"site": ["Unknown"]})
    assignment = FormAssignment.objects.create(
        form=form,
        sector_id=sector_id,
        site_id=site_id,
        opens_on=opens_on,
        closes_on=closes_on,
        round_label=round_label.strip()[:64],
        assigned_by=actor,
        assigned_at=timezone.now(),
    )
    audit.record_for(
        form,
        actor=actor,
        action="survey-form-assign",
        detail={
            "assignment": assignment.pk,
            "sector": sector_id,
            "site": site_id,
            "opens_on": opens_on.isoformat(),
            "closes_on": closes_on.isoformat(),
        },
    )
    return assignment


@transaction.atomic
def form_set_status(*, actor: Any, form_pk: int, status: str) -> SurveyForm:
    if status not in FormStatus.values:
        raise ServiceError("Unknown status.", field_errors={"status": ["Open or closed."]})
    form = _managed_form(actor, form_pk)
    form.status = status
    form.save(update_fields=["status"])
    audit.record_for(form, actor=actor, action="survey-form-status", detail={"status": status})
    return form


# --- collector passwords -----------------------------------------------------------------------


def collector_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def collector_credential_create(*, actor: Any, name: str) -> tuple[CollectorCredential, str]:
    """A password for one phone's ODK Collect; the secret is returned once, never stored."""
    if not access.missions_for(actor, Resource.SURVEY_RESPONSE, "create"):
        raise access.refuse(
            access.NotPermitted("no survey to collect"),
            actor=actor,
            action="collector-credential-create",
            resource=Resource.SURVEY_RESPONSE,
        )
    label = name.strip()[:100]
    if not label:
        raise ServiceError("Name the phone.", field_errors={"name": ["Required."]})
    secret = COLLECTOR_PREFIX + secrets.token_urlsafe(32)
    credential = CollectorCredential.objects.create(
        user=actor,
        name=label,
        digest=collector_digest(secret),
        prefix=secret[:10],
        created_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action="collector-credential-create",
        object_id=credential.pk,
        detail={"name": label},
    )
    return credential, secret


@transaction.atomic
def collector_credential_revoke(*, actor: Any, credential_id: int) -> CollectorCredential:
    credential = CollectorCredential.objects.filter(pk=credential_id, user=actor).first()
    if credential is None:
        raise access.refuse(
            NotVisible(),
            actor=actor,
            action="collector-credential-revoke",
            object_id=credential_id,
        )
    if credential.revoked_at is None:
        credential.revoked_at = timezone.now()
        credential.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="collector-credential-revoke", object_id=credential.pk)
    return credential


# --- submissions: received in receiving.py (the worker's pulls store them too) --------------


@transaction.atomic
def submission_void(*, actor: Any, submission_id: int, reason: str) -> Submission:
    submission = access.get_visible(actor, Submission.objects.all(), pk=submission_id)
    access.require_in_scope(
        actor,
        Resource.SURVEY_RESPONSE,
        "void",
        object_id=submission.pk,
        mission_id=submission.mission_id,
        sector_id=submission.sector_id,
        site_id=submission.site_id,
        classification=submission.classification,
        compartments=submission.compartments,
    )
    if not reason.strip():
        raise ServiceError("Say why it is voided.", field_errors={"reason": ["Required."]})
    if submission.voided_at is None:
        submission.voided_at = timezone.now()
        submission.voided_by = actor
        submission.void_reason = reason.strip()[:2000]
        submission.save(update_fields=["voided_at", "voided_by", "void_reason"])
        audit.record_for(submission, actor=actor, action="void", detail={"reason": reason[:200]})
    return submission


# --- outcome indicators ------------------------------------------------------------------------


def _require_indicators(actor: Any, mission_id: int, action: str, object_id: Any = "") -> None:
    access.require_in_scope(
        actor, Resource.INDICATOR, action, object_id=object_id, mission_id=mission_id
    )


@transaction.atomic
def indicator_define(
    *,
    actor: Any,
    mission_id: int,
    code: str,
    name: str,
    definition: str,
    unit: str,
    source: str,
    owner: str,
    computation: str = "",
    baseline: float | None = None,
    target: float | None = None,
    higher_is_better: bool = True,
    disaggregation: str = "",
    frequency: str = IndicatorFrequency.MONTHLY,
    data_source: str = "",
    survey_form_pk: int | None = None,
    survey_question: str = "",
    survey_value: str = "",
) -> Indicator:
    """Define (or redefine) an indicator: definition, unit, baseline, target, source, owner."""
    _require_indicators(actor, mission_id, "manage")
    if source == IndicatorSource.COMPUTED and computation not in indicators.COMPUTATIONS:
        raise ServiceError(
            "A computed indicator names one of the computations.",
            field_errors={"computation": [", ".join(indicators.COMPUTATIONS)]},
        )
    if source == IndicatorSource.ENTERED:
        computation = ""
    if survey_form_pk is not None:
        survey = access.get_visible(actor, SurveyForm.objects.all(), pk=survey_form_pk)
        if survey.mission_id != mission_id:
            raise ServiceError("The survey is another mission's.", field_errors={"survey": ["?"]})
    defaults = {
        "name": name,
        "definition": definition,
        "unit": unit,
        "source": source,
        "computation": computation,
        "owner": owner,
        "baseline": baseline,
        "target": target,
        "higher_is_better": higher_is_better,
        "disaggregation": disaggregation,
        "frequency": frequency,
        "data_source": data_source,
        "survey_form_id": survey_form_pk,
        "survey_question": survey_question,
        "survey_value": survey_value,
    }
    indicator, created = Indicator.objects.update_or_create(
        mission_id=mission_id,
        code=code,
        defaults=defaults,
        create_defaults={**defaults, "created_by": actor, "created_at": timezone.now()},
    )
    try:
        indicator.full_clean()
    except ValidationError as exc:
        # The transaction rolls the row back: nothing changed.
        raise ServiceError(
            "The indicator definition is incomplete.",
            field_errors={k: [str(m) for m in v] for k, v in exc.message_dict.items()},
        ) from exc
    audit.record_for(
        indicator, actor=actor, action="indicator-define" if created else "indicator-redefine"
    )
    return indicator


@transaction.atomic
def indicator_value_enter(
    *,
    actor: Any,
    indicator_pk: int,
    period_start: date,
    period_end: date,
    value: float,
    evidence: str,
    sector_id: int | None = None,
) -> IndicatorValue:
    """A value of an entered indicator, with the evidence it rests on."""
    indicator = access.get_visible(actor, Indicator.objects.all(), pk=indicator_pk)
    _require_indicators(actor, indicator.mission_id, "manage", indicator.pk)
    if indicator.source != IndicatorSource.ENTERED:
        raise ServiceError(
            "This indicator is computed from the registers; it is not typed in.",
            field_errors={"value": ["Computed indicator."]},
        )
    if not evidence.strip():
        raise ServiceError(
            "Say what the value rests on (report, list, minutes).",
            field_errors={"evidence": ["Required."]},
        )
    if period_end < period_start:
        raise ServiceError("The period ends before it starts.", field_errors={"period_end": ["?"]})
    if (
        sector_id
        and not Sector.objects.filter(pk=sector_id, mission_id=indicator.mission_id).exists()
    ):
        raise ServiceError("No such sector in this mission.", field_errors={"sector": ["?"]})
    row, _ = IndicatorValue.objects.update_or_create(  # type: ignore[misc]
        indicator=indicator,
        period_start=period_start,
        sector_id=sector_id,
        inputs_resource="",
        defaults={
            "period_end": period_end,
            "value": value,
            "evidence": evidence.strip()[:4000],
            "entered_by": actor,
            "recorded_at": timezone.now(),
            "provenance": {"register": "entered", "by": str(actor)},
        },
    )
    audit.record_for(
        indicator,
        actor=actor,
        action="indicator-value-enter",
        detail={"period": period_start.isoformat(), "value": value, "sector": sector_id},
    )
    return row


def _audience_scopes(
    protection: access.Protection, sectors: list[int]
) -> list[tuple[int | None, access.Protection]]:
    """The (sector, label) pairs an audience's values are computed for: the mission when it
    holds the whole mission, and each sector it holds."""
    if protection.site_id is not None:
        return []  # field-site readers are not served indicators (sector is the finest cut)
    out: list[tuple[int | None, access.Protection]] = []
    held = sectors if protection.sector_id is None else [protection.sector_id]
    if protection.sector_id is None:
        out.append((None, protection))
    for sector in held:
        out.append(
            (
                sector,
                access.Protection(
                    resource=protection.resource,
                    mission_id=protection.mission_id,
                    sector_id=sector,
                    classification=protection.classification,
                    compartments=protection.compartments,
                ),
            )
        )
    return out


@transaction.atomic
def indicators_compute(*, actor: Any, mission_id: int, period_start: date, period_end: date) -> int:
    """Compute every computed indicator of a mission for one period, once per audience.

    Each value is computed for one clearance among the indicator's readers
    (:func:`bluebox.core.access.audiences`) from the register records within it, and carries
    that clearance as its label; readers are served the widest value they are cleared for.
    Returns the number of values written. Runs again over a period to refresh it.
    """
    if actor is not None:
        _require_indicators(actor, mission_id, "compute")
    if period_end < period_start:
        raise ServiceError("The period ends before it starts.", field_errors={"period_end": ["?"]})
    sectors = list(Sector.objects.filter(mission_id=mission_id).values_list("pk", flat=True))
    written: set[int] = set()
    now = timezone.now()
    for indicator in Indicator.objects.filter(
        mission_id=mission_id, source=IndicatorSource.COMPUTED
    ):
        computation = indicators.COMPUTATIONS[indicator.computation]
        for audience in access.audiences(mission_id, Resource.INDICATOR, computation.inputs):
            for sector, label in _audience_scopes(audience, sectors):
                result = computation.compute(indicator, label, period_start, period_end)
                row, _created = IndicatorValue.objects.update_or_create(  # type: ignore[misc]
                    indicator=indicator,
                    period_start=period_start,
                    sector_id=sector,
                    **label.label(),
                    defaults={
                        "period_end": period_end,
                        "value": result.value,
                        "numerator": result.numerator,
                        "denominator": result.denominator,
                        "lower": result.lower,
                        "upper": result.upper,
                        "suppressed": result.suppressed,
                        "provenance": {**result.provenance, "computed_at": now.isoformat()},
                        "recorded_at": now,
                    },
                )
                written.add(row.pk)
    audit.record(
        actor=actor,
        action="indicators-compute",
        resource=Resource.INDICATOR,
        mission_id=mission_id,
        detail={
            "period": [period_start.isoformat(), period_end.isoformat()],
            "values": len(written),
        },
    )
    return len(written)

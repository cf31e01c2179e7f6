"""Receiving a submission, whatever its channel: ODK Collect, a file import, a pull from a server.

:func:`submission_receive` is the one path every submission takes: it is idempotent on the
``instanceID`` (the same XML again adds only the attachments not yet received; other XML under
the same ID is a :class:`Conflict`), and a ``deprecatedID`` makes it an edit that replaces the
current submission. It lives below ``services`` (which re-exports it) so that the worker's
pulls (``jobs.py``) store submissions through it too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from bluebox.assessment import instances
from bluebox.assessment.models import (
    FormAssignment,
    FormStatus,
    FormVersion,
    Submission,
    SubmissionAttachment,
    SubmissionSource,
    SurveyForm,
)
from bluebox.core import access, audit
from bluebox.core.exceptions import NotVisible, ServiceError
from bluebox.core.roles import Resource
from bluebox.missions.models import FieldSite, Mission

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class Conflict(ServiceError):
    """The request contradicts what is stored (other XML under an instanceID): a 409."""


@dataclass(frozen=True)
class Received:
    submission: Submission
    created: bool
    attachments_added: int


def _form_for(actor: Any, mission: Mission, form_id: str) -> SurveyForm:
    queryset = SurveyForm.objects.filter(voided_at__isnull=True)
    return access.get_visible(actor, queryset, mission_id=mission.pk, form_id=form_id)


def _site_of(
    actor: Any, form: SurveyForm, answers: dict[str, str], replaced: Submission | None
) -> FieldSite | None:
    code = answers.get(form.site_field, "").strip() if form.site_field else ""
    if code:
        site = FieldSite.objects.filter(mission_id=form.mission_id, code=code).first()
        if site is None:
            raise ServiceError(
                f"No field site {code!r} in this mission.",
                field_errors={form.site_field: ["Unknown site code."]},
            )
        return site
    if replaced is not None:
        return replaced.site
    sites = {
        g.site_id
        for g in access.grants(actor, Resource.SURVEY_RESPONSE, "create")
        if g.mission_id == form.mission_id
    }
    only = next(iter(sites)) if len(sites) == 1 else None
    return FieldSite.objects.get(pk=only) if only is not None else None


def _expected_files(version: FormVersion, answers: dict[str, str]) -> list[str]:
    binary = {q["path"] for q in version.questions if q.get("binary")}
    files = set()
    for key, value in answers.items():
        base = key.split("[", 1)[0] if "[" in key.rsplit("/", 1)[-1] else key
        if value and (key in binary or base in binary):
            files.add(value)
    return sorted(files)


def _store_attachments(
    submission: Submission, files: list[tuple[str, str, bytes]], at: datetime
) -> int:
    expected = set(submission.attachments_expected)
    stored = {a.filename: a.sha256 for a in submission.attachments.all()}
    added = 0
    for name, content_type, content in files:
        if name not in expected:
            continue  # a file no answer names is not kept
        digest = hashlib.sha256(content).hexdigest()
        if name in stored:
            if stored[name] != digest:
                raise Conflict(
                    f"The attachment {name} was already received with other content.",
                    field_errors={name: ["Different content under the same name."]},
                )
            continue
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise ServiceError(f"The attachment {name} is larger than 10 MB.")
        SubmissionAttachment.objects.create(
            submission=submission,
            filename=name,
            content_type=content_type[:100] or "application/octet-stream",
            sealed=SubmissionAttachment.seal(content),
            sha256=digest,
            size=len(content),
            received_at=at,
        )
        stored[name] = digest
        added += 1
    complete = expected <= set(stored)
    if complete != submission.complete:
        submission.complete = complete
        submission.save(update_fields=["complete"])
    return added


def _require_submit(actor: Any, form: SurveyForm, site: FieldSite | None, object_id: Any) -> None:
    access.require_in_scope(
        actor,
        Resource.SURVEY_RESPONSE,
        "create",
        object_id=object_id,
        mission_id=form.mission_id,
        sector_id=site.sector_id if site else None,
        site_id=site.pk if site else None,
        classification=form.classification,
        compartments=form.compartments,
    )


def _replaced(actor: Any, mission: Mission, form: SurveyForm, deprecated_id: str) -> Submission:
    """The current submission an edit replaces; hidden and missing ones are refused alike."""
    replaced = (
        Submission.objects.select_for_update()
        .filter(mission_id=mission.pk, instance_id=deprecated_id, form=form)
        .first()
    )
    # The person who sent it, or those who may edit responses there, may edit it.
    if replaced is None or not (
        replaced.submitted_by_id == getattr(actor, "pk", None)
        or access.can(actor, "edit", replaced)
    ):
        raise access.refuse(
            NotVisible(),
            actor=actor,
            action="edit",
            resource=Resource.SURVEY_RESPONSE,
            object_id=deprecated_id[:64],
            mission_id=mission.pk,
        )
    if not replaced.is_current:
        raise Conflict(
            "The submission this edits was already replaced by another edit.",
            field_errors={"deprecatedID": ["Not the current version."]},
        )
    return replaced


def _open_round(
    form: SurveyForm, site: FieldSite | None, on: date, *, require_open: bool = True
) -> FormAssignment | None:
    """The assignment under which a new submission is collected here on a day (None: closed).

    Imports of submissions collected elsewhere pass ``require_open=False``: a form closed since
    still takes the answers collected while it was assigned.
    """
    if require_open and form.status != FormStatus.OPEN:
        return None
    where = Q(sector__isnull=True, site__isnull=True)
    if site is not None:
        where |= Q(site_id=site.pk) | Q(sector_id=site.sector_id)
    return form.assignments.filter(where, opens_on__lte=on, closes_on__gte=on).first()


def _receive_again(
    actor: Any,
    form: SurveyForm,
    existing: Submission,
    instance: instances.Instance,
    files: list[tuple[str, str, bytes]],
    at: datetime,
) -> Received:
    """The same instanceID again: more of its attachments, a no-op, or a conflict."""
    _require_submit(actor, form, existing.site, existing.pk)
    if existing.xml_sha256 != instance.sha256 or existing.form_id != form.pk:
        raise Conflict(
            "A submission with this instanceID was already received with other content.",
            field_errors={"instanceID": ["Already received with other content."]},
        )
    added = _store_attachments(existing, files, at)
    if added:
        audit.record_for(
            existing, actor=actor, action="survey-submission-attachments", detail={"n": added}
        )
    return Received(existing, created=False, attachments_added=added)


@transaction.atomic
def submission_receive(
    *,
    actor: Any,
    mission: Mission,
    xml: bytes,
    files: list[tuple[str, str, bytes]] | None = None,
    device_id: str = "",
    source: str = SubmissionSource.OPENROSA,
    at: datetime | None = None,
) -> Received:
    """Receive one submission (XML and any of its attachments) from a phone or an import.

    ``files`` are ``(name, content type, content)``; a phone may send them over several
    requests, each repeating the XML. Returns whether a submission was created and how many
    attachments were added; raises :class:`Conflict` for other XML under a known instanceID.
    """
    at = at or timezone.now()
    files = files or []
    try:
        instance = instances.parse(xml)
    except instances.InstanceError as exc:
        raise ServiceError(str(exc), field_errors={"xml_submission_file": [str(exc)]}) from exc
    form = _form_for(actor, mission, instance.form_id)
    existing = (
        Submission.objects.select_for_update()
        .filter(mission_id=mission.pk, instance_id=instance.instance_id)
        .first()
    )
    if existing is not None:
        return _receive_again(actor, form, existing, instance, files, at)
    version = form.versions.filter(version=instance.version).first()
    if version is None:
        raise ServiceError(
            f"The form {form.form_id} has no version {instance.version or '(none)'}: "
            "get the current form on the phone.",
            field_errors={"version": ["Unknown form version."]},
        )
    replaced = (
        _replaced(actor, mission, form, instance.deprecated_id) if instance.deprecated_id else None
    )
    site = _site_of(actor, form, instance.answers, replaced)
    _require_submit(actor, form, site, instance.instance_id[:64])
    imported = source != SubmissionSource.OPENROSA
    collected_under = _open_round(form, site, timezone.localdate(at), require_open=not imported)
    if replaced is None and collected_under is None:
        if imported:
            raise ServiceError(
                f"Collected on {timezone.localdate(at).isoformat()}, when no assignment of the "
                f"form {form.form_id} covered this place: assign the form for that round first.",
                field_errors={"form": ["No assignment covers this date and place."]},
            )
        raise Conflict(
            f"The form {form.form_id} is not taking submissions here now.",
            field_errors={"form": ["Closed, or not assigned here at this date."]},
        )
    if replaced is not None:
        round_label = replaced.round_label
    else:
        round_label = collected_under.round_label if collected_under else ""
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                form=form,
                version=version,
                mission=mission,
                sector_id=site.sector_id if site else None,
                site=site,
                instance_id=instance.instance_id,
                replaces=replaced,
                xml=instance.xml,
                xml_sha256=instance.sha256,
                answers=instance.answers,
                attachments_expected=_expected_files(version, instance.answers),
                complete=False,
                source=source,
                submitted_by=actor if getattr(actor, "pk", None) else None,
                device_id=device_id[:100],
                received_at=at,
                round_label=round_label,
                classification=form.classification,
                compartments=form.compartments,
            )
    except IntegrityError as exc:
        # Another request stored the same instanceID (or edited the same one) meanwhile.
        raise Conflict(
            "This submission is being received by another request; send it again."
        ) from exc
    if replaced is not None:
        replaced.is_current = False
        replaced.save(update_fields=["is_current"])
    added = _store_attachments(submission, files, at)
    if not submission.attachments_expected and not submission.complete:
        submission.complete = True
        submission.save(update_fields=["complete"])
    audit.record_for(
        submission,
        actor=actor,
        action="survey-submission-edit" if replaced else "survey-submission-receive",
        detail={
            "instance_id": instance.instance_id,
            "form": form.form_id,
            "version": version.version,
            "attachments": added,
            **({"replaces": replaced.pk} if replaced else {}),
        },
    )
    return Received(submission, created=True, attachments_added=added)

"""Linking a survey form to the KoBoToolbox or ODK Central server it is collected on, and starting
pulls of its submissions (the pull itself runs in the worker: :mod:`bluebox.assessment.jobs`).

Only those who may manage the form link it or pull. The credential is stored encrypted under
the field keys, never shown back and never in an audit entry; linking the form to another
server (another address, asset or form) needs the credential again, so a stored one is never
sent to a server it was not given for, and starts the cursor again.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bluebox.assessment import imports, remote, tasks
from bluebox.assessment.models import PullJob, PullStatus, RemoteKind, RemoteSource, SurveyForm
from bluebox.core import audit, background
from bluebox.core.exceptions import ServiceError

_UID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_FORM_ID = re.compile(r"^[^/\s?#]{1,64}$")


def _no_active_pull(form: SurveyForm) -> None:
    if PullJob.objects.filter(
        form=form, status__in=[PullStatus.QUEUED, PullStatus.RUNNING]
    ).exists():
        raise ServiceError(_("A pull of this form is under way: wait until it ends."))


def _checked(
    kind: str, base_url: str, asset_uid: str, project_id: int | None, xml_form_id: str
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if kind not in RemoteKind.values:
        errors["kind"] = [_("Choose KoBoToolbox or ODK Central.")]
    try:
        url = remote.check_url(base_url)
    except ValueError as exc:
        errors["base_url"] = [str(exc)]
        url = ""
    if kind == RemoteKind.KOBO and not _UID.match(asset_uid.strip()):
        errors["asset_uid"] = [_("Give the asset's uid (letters and digits, as in its URL).")]
    if kind == RemoteKind.CENTRAL:
        if not project_id or project_id < 1:
            errors["project_id"] = [_("Give the project's number (as in its URL).")]
        if not _FORM_ID.match(xml_form_id.strip()):
            errors["xml_form_id"] = [_("Give the form's ID (its xmlFormId).")]
    if errors:
        raise ServiceError(
            _("The server was not linked: %(problems)s")
            % {"problems": " ".join(m for ms in errors.values() for m in ms)},
            field_errors=errors,
        )
    central = kind == RemoteKind.CENTRAL
    return {
        "kind": kind,
        "base_url": url,
        "asset_uid": "" if central else asset_uid.strip(),
        "project_id": project_id if central else None,
        "xml_form_id": xml_form_id.strip() if central else "",
    }


@transaction.atomic
def source_link(
    *,
    actor: Any,
    form_pk: int,
    kind: str,
    base_url: str,
    asset_uid: str = "",
    project_id: int | None = None,
    xml_form_id: str = "",
    username: str = "",
    credential: str = "",
) -> RemoteSource:
    """Link a form to its server, or change the link; an empty credential keeps the stored one
    only while the server stays the same."""
    form = imports.require_manage(actor, form_pk)
    SurveyForm.objects.select_for_update().filter(pk=form.pk).first()
    _no_active_pull(form)
    where = _checked(kind, base_url, asset_uid, project_id, xml_form_id)
    username = username.strip() if kind == RemoteKind.CENTRAL else ""
    if len(username) > 200 or len(credential) > 2000:
        raise ServiceError(_("The account name or the credential is too long."))
    existing = RemoteSource.objects.filter(form=form).first()
    same_server = existing is not None and all(
        getattr(existing, name) == value for name, value in where.items()
    )
    same_account = same_server and existing is not None and existing.username == username
    if not credential.strip() and not same_account:
        raise ServiceError(
            _("Enter the credential: it is needed for a new server, asset, form or account."),
            field_errors={"credential": [_("Required.")]},
        )
    source = existing or RemoteSource(form=form)
    for name, value in where.items():
        setattr(source, name, value)
    source.username = username
    if credential.strip():
        source.credential = credential.strip()
    if not same_server:
        source.cursor_at = None
        source.cursor_ids = []
    source.configured_by = actor
    source.configured_at = timezone.now()
    source.save()
    audit.record_for(
        form,
        actor=actor,
        action="survey-source-link",
        detail={
            **{k: v for k, v in where.items() if v not in ("", None)},
            "account": bool(username),
            "credential": "replaced" if credential.strip() else "kept",
            "cursor": "kept" if same_server else "restarted",
        },
    )
    return source


@transaction.atomic
def source_unlink(*, actor: Any, form_pk: int) -> SurveyForm:
    """Forget the form's server and its credential (the submissions pulled stay)."""
    form = imports.require_manage(actor, form_pk)
    SurveyForm.objects.select_for_update().filter(pk=form.pk).first()
    _no_active_pull(form)
    deleted, _by_model = RemoteSource.objects.filter(form=form).delete()
    if deleted:
        audit.record_for(form, actor=actor, action="survey-source-unlink")
    return form


def pull_start(*, actor: Any, form_pk: int) -> PullJob:
    """Queue a pull of the form's new submissions from its server."""
    with transaction.atomic():
        form = imports.require_manage(actor, form_pk)
        source = RemoteSource.objects.filter(form=form).first()
        if source is None:
            raise ServiceError(_("Link the form to its server first."))
        try:
            with transaction.atomic():
                job = PullJob.objects.create(
                    form=form,
                    mission_id=form.mission_id,
                    kind=source.kind,
                    requested_by=actor,
                    requested_at=timezone.now(),
                )
        except IntegrityError:
            raise ServiceError(_("A pull of this form is under way: wait until it ends.")) from None
        audit.record_for(form, actor=actor, action="survey-pull-start", detail={"job": job.pk})
        background.enqueue_on_commit(tasks.PULL_JOB, job.pk)
    return job

"""Reads of assessment records, each starting from :func:`bluebox.core.access.visible`."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from bluebox.assessment.models import (
    FormAssignment,
    FormMedia,
    FormStatus,
    FormVersion,
    Indicator,
    IndicatorValue,
    PullJob,
    RemoteSource,
    Submission,
    SurveyForm,
)
from bluebox.core import access
from bluebox.core.classification import masks_within
from bluebox.core.roles import Resource
from bluebox.missions.models import FieldSite


def forms_for(user: Any, *, mission_id: int | None = None) -> QuerySet[SurveyForm]:
    qs = access.visible(user, SurveyForm.objects.filter(voided_at__isnull=True))
    if mission_id is not None:
        qs = qs.filter(mission_id=mission_id)
    return qs.annotate(
        n_submissions=Count("submissions", filter=Q(submissions__is_current=True))
    ).select_related("mission")


def form_get(user: Any, pk: int) -> SurveyForm:
    return access.get_visible(user, SurveyForm.objects.filter(voided_at__isnull=True), pk=pk)


def versions_of(user: Any, form: SurveyForm) -> QuerySet[FormVersion]:
    return access.visible(user, FormVersion.objects.filter(form=form))


def assignments_of(user: Any, form: SurveyForm) -> QuerySet[FormAssignment]:
    return access.visible(user, FormAssignment.objects.filter(form=form)).select_related(
        "sector", "site"
    )


def can_manage(user: Any, form: SurveyForm) -> bool:
    return access.can_in_scope(
        user,
        Resource.SURVEY,
        "manage",
        mission_id=form.mission_id,
        classification=form.classification,
        compartments=form.compartments,
    )


def collectable_forms(user: Any, *, mission_id: int, on: date) -> list[FormVersion]:
    """The current version of each form this person may collect today (the OpenRosa form list).

    A form is listed when it is open, the person may see it, and one of its assignments open
    today lies within a scope where they may submit responses at the form's classification and
    compartments.
    """
    where = Q(pk__in=[])
    grant_list = [
        g
        for g in access.grants(user, Resource.SURVEY_RESPONSE, "create")
        if g.mission_id == mission_id and g.max_classification is not None
    ]
    site_sectors = dict(
        FieldSite.objects.filter(pk__in=[g.site_id for g in grant_list if g.site_id]).values_list(
            "pk", "sector_id"
        )
    )
    for g in grant_list:
        everywhere = Q(assignments__sector__isnull=True, assignments__site__isnull=True)
        if g.site_id is not None:
            scope = (
                everywhere
                | Q(assignments__site_id=g.site_id)
                | Q(assignments__sector_id=site_sectors.get(g.site_id))
            )
        elif g.sector_id is not None:
            scope = (
                everywhere
                | Q(assignments__sector_id=g.sector_id)
                | Q(assignments__site__sector_id=g.sector_id)
            )
        else:
            scope = Q(assignments__isnull=False)
        where |= (
            scope
            & Q(classification__lte=g.max_classification)
            & Q(compartments__in=masks_within(g.compartments))
        )
    forms = (
        access.visible(user, SurveyForm.objects.filter(voided_at__isnull=True))
        .filter(mission_id=mission_id, status=FormStatus.OPEN)
        .filter(where, assignments__opens_on__lte=on, assignments__closes_on__gte=on)
        .distinct()
        .order_by("form_id")
    )
    versions = []
    for form in forms:
        current = form.current_version
        if current is not None:
            versions.append(current)
    return versions


def collectable_version(
    user: Any, *, mission_id: int, form_id: str, version: str, on: date
) -> FormVersion:
    """One version of a form this person may collect (form download, manifest, media)."""
    for current in collectable_forms(user, mission_id=mission_id, on=on):
        if current.form.form_id == form_id:
            found = current.form.versions.filter(version=version).first()
            if found is not None:
                return found
    raise access.refuse_lookup(
        user,
        FormVersion.objects.all(),
        action="view",
        form__mission_id=mission_id,
        form__form_id=form_id,
        version=version,
    )


def media_of(version: FormVersion) -> QuerySet[FormMedia]:
    return version.media.order_by("filename")


def submissions_for(
    user: Any, *, form: SurveyForm | None = None, current_only: bool = True
) -> QuerySet[Submission]:
    qs = access.visible(user, Submission.objects.filter(voided_at__isnull=True))
    if form is not None:
        qs = qs.filter(form=form)
    if current_only:
        qs = qs.filter(is_current=True)
    return qs.select_related("site", "form")


def submission_get(user: Any, pk: int) -> Submission:
    return access.get_visible(user, Submission.objects.all(), pk=pk)


def indicators_for(user: Any, *, mission_id: int | None = None) -> QuerySet[Indicator]:
    qs = access.visible(user, Indicator.objects.all())
    if mission_id is not None:
        qs = qs.filter(mission_id=mission_id)
    return qs.select_related("mission").order_by("mission__name", "code")


def _width(row: IndicatorValue) -> tuple[int, int]:
    return (row.inputs_classification, bin(row.inputs_compartments).count("1"))


def indicator_values(user: Any, indicator: Indicator) -> list[IndicatorValue]:
    """One value per period and sector: the widest variant this reader is cleared for."""
    best: dict[tuple[Any, Any], IndicatorValue] = {}
    for row in access.visible(user, IndicatorValue.objects.filter(indicator=indicator)):
        key = (row.period_start, row.sector_id)
        if key not in best or _width(row) > _width(best[key]):
            best[key] = row
    return sorted(best.values(), key=lambda r: (r.period_start, r.sector_id or 0))


# --- pulls from a server -------------------------------------------------------------------


def source_of(user: Any, form: SurveyForm) -> RemoteSource | None:
    """The server the form is linked to, for those who may manage the form (None for others)."""
    if not can_manage(user, form):
        return None
    return RemoteSource.objects.filter(form=form).first()


def pulls_of(user: Any, form: SurveyForm) -> list[PullJob]:
    """The form's latest pulls, for those who may manage it."""
    if not can_manage(user, form):
        return []
    return list(PullJob.objects.filter(form=form).select_related("requested_by")[:10])


def pull_get(user: Any, pk: int) -> PullJob:
    """A pull, for those who may manage its form; anyone else gets the 404 of a missing one."""
    queryset = PullJob.objects.select_related("form", "requested_by")
    job = access.get_visible(user, queryset, action="manage", pk=pk)
    if job.form.voided_at is not None or not can_manage(user, job.form):
        raise access.refuse_lookup(user, PullJob.objects.all(), action="manage", pk=pk)
    return job


def pull_percent(job: PullJob) -> int:
    """How far a pull has got, from the count the server gave (0 while unknown)."""
    if not job.is_active:
        return 100
    if not job.total:
        return 0
    return max(0, min(99, int(100 * job.rows / job.total)))

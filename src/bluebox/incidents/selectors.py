"""Reads on incidents. Every query starts from :func:`bluebox.core.access.visible`."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils.translation import gettext as _

from bluebox.core import access, audit, progress
from bluebox.core.roles import Resource
from bluebox.incidents.jobs import PROGRESS_KIND
from bluebox.incidents.models import (
    ImportJob,
    ImportStatus,
    Incident,
    IncidentMerge,
    IncidentPhoto,
    IncidentType,
    ProtectedPerson,
)
from bluebox.missions.models import Mission, Sector

WORKFLOW = Resource.INCIDENT_WORKFLOW


@dataclass(frozen=True)
class IncidentFilters:
    mission_id: int | None = None
    sector_id: int | None = None
    site_id: int | None = None
    status: str | None = None
    incident_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    include_voided: bool = False
    text: str | None = None  # words to find in title, description, place or actor
    perpetrator_category: str | None = None
    # Grading: source reliability at least this good (A best), information at least this
    # credible (1 best); the list, the map and the exports share these filters.
    reliability_at_least: str | None = None
    credibility_at_least: int | None = None


def incidents_for(user: Any, filters: IncidentFilters | None = None) -> QuerySet[Incident]:
    f = filters or IncidentFilters()
    qs = access.visible(user, Incident.objects.all())
    if not f.include_voided:
        qs = qs.filter(voided_at__isnull=True)
    if f.mission_id is not None:
        qs = qs.filter(mission_id=f.mission_id)
    if f.sector_id is not None:
        qs = qs.filter(sector_id=f.sector_id)
    if f.site_id is not None:
        qs = qs.filter(site_id=f.site_id)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.incident_type:
        qs = qs.filter(incident_type=f.incident_type)
    if f.since is not None:
        qs = qs.filter(occurred_at__gte=f.since)
    if f.until is not None:
        qs = qs.filter(occurred_at__lt=f.until)
    if f.perpetrator_category:
        qs = qs.filter(perpetrator_category=f.perpetrator_category)
    if f.reliability_at_least:
        qs = qs.filter(source_reliability__lte=f.reliability_at_least)
    if f.credibility_at_least:
        qs = qs.filter(information_credibility__lte=f.credibility_at_least)
    for word in search_words(f.text):
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(location_name__icontains=word)
            | Q(perpetrator_actor__icontains=word)
            | Q(external_id=word)
        )
    return qs.order_by("-occurred_at", "-id")


def incidents_key(user: Any, filters: IncidentFilters) -> Hashable | None:
    """Everything the SQL of :func:`incidents_for` depends on, as one hashable value: the
    access module's filter for ``user`` (read afresh on every call, so a changed role or
    grant is another key) and the filters. The list compiles its statement once per key
    (:meth:`bluebox.core.pagination.KeysetPagination.paginate_values`). ``None`` for a text
    search: its words stay out of anything kept beyond the request.
    """
    if filters.text:
        return None
    return ("incidents_for", access.filter_q(user, Incident), filters)


MAX_SEARCH_WORDS = 8


def search_words(text: str | None) -> list[str]:
    """The words of a search, each of which must appear (at most eight, 60 characters each).

    Only the incident's own text is searched: protected identities are encrypted and never
    searchable, so a search cannot confirm that a named person is a source or a survivor.
    """
    return [word[:60] for word in (text or "").split()[:MAX_SEARCH_WORDS]]


def counts_by(user: Any, field: str, filters: IncidentFilters | None = None) -> dict[Any, int]:
    """Counts of visible incidents grouped by one field (tier, sector, type...)."""
    rows = incidents_for(user, filters).order_by().values(field).annotate(n=Count("id"))
    return {row[field]: row["n"] for row in rows}


TREND_WEEKS = 12
TREND_SERIES = 5
#: Past this many weeks a trend counts months, so a chart keeps a readable number of points.
MAX_TREND_WEEKS = 26


@dataclass(frozen=True)
class Trend:
    """Incidents per week (or month) from ``since`` to ``until``, by sector and by type."""

    unit: str  # "week" or "month"
    periods: list[date]
    by_sector: list[tuple[str, list[int]]]
    by_type: list[tuple[str, list[int]]]
    total: int
    since: datetime
    until: datetime


def _periods(since: datetime, until: datetime, unit: str) -> list[date]:
    step, day = (timedelta(weeks=1), since.date() - timedelta(days=since.weekday()))
    if unit == "week":
        weeks = [day]
        while weeks[-1] + step < until.date():
            weeks.append(weeks[-1] + step)
        return weeks
    months: list[date] = []
    day = since.date().replace(day=1)
    while day < until.date() or not months:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def _series(
    rows: Iterable[Mapping[str, Any]], field: str, periods: list[date], names: Mapping[Any, Any]
) -> list[tuple[str, list[int]]]:
    """The largest groups as they are, the rest summed as one "Other" line."""
    index = {p: i for i, p in enumerate(periods)}
    counts: dict[Any, list[int]] = {}
    for row in rows:
        period = row["period"]
        i = index.get(period.date() if isinstance(period, datetime) else period)
        if i is not None:
            counts.setdefault(row[field], [0] * len(periods))[i] += row["n"]
    ranked = sorted(counts, key=lambda k: (-sum(counts[k]), str(names.get(k, ""))))
    series = [(str(names.get(k) or k), counts[k]) for k in ranked[:TREND_SERIES]]
    rest = ranked[TREND_SERIES:]
    if rest:
        series.append((_("Other"), [sum(counts[k][i] for k in rest) for i in range(len(periods))]))
    return series


def trends(user: Any, filters: IncidentFilters | None = None, *, now: datetime) -> Trend:
    """Counts of what the user may see under the list's filters (12 weeks to ``now`` when the
    filters give no dates), grouped per week, or per month past 26 weeks (UTC)."""
    f = filters or IncidentFilters()
    until = f.until or now
    since = f.since or (until - timedelta(weeks=TREND_WEEKS))
    unit = "week" if until - since <= timedelta(weeks=MAX_TREND_WEEKS) else "month"
    trunc = TruncWeek if unit == "week" else TruncMonth
    qs = (
        incidents_for(user, replace(f, since=since, until=until))
        .order_by()
        .annotate(period=trunc("occurred_at", tzinfo=UTC))
    )
    periods = _periods(since, until, unit)
    by_sector = list(qs.values("period", "sector_id").annotate(n=Count("id")))
    by_type = list(qs.values("period", "incident_type").annotate(n=Count("id")))
    sector_names: dict[Any, Any] = dict(
        Sector.objects.filter(pk__in={r["sector_id"] for r in by_sector}).values_list("pk", "name")
    )
    sector_names[None] = _("No sector")
    return Trend(
        unit=unit,
        periods=periods,
        by_sector=_series(by_sector, "sector_id", periods, sector_names),
        by_type=_series(by_type, "incident_type", periods, dict(IncidentType.choices)),
        total=sum(r["n"] for r in by_type),
        since=since,
        until=until,
    )


def incident_for(user: Any, incident_id: int) -> Incident:
    """One incident the user may see (404 alike for missing and not yours)."""
    return access.get_visible(
        user, Incident.objects.select_related("site", "sector", "mission"), pk=incident_id
    )


def photos_of(incident: Incident) -> list[IncidentPhoto]:
    """The photos of an incident already read through :func:`incident_for` (no bytes)."""
    return list(incident.photos.defer("sealed"))


def photo_for(user: Any, incident_id: int, photo_id: int) -> IncidentPhoto:
    """One photo of an incident the user may see (404 alike for a missing photo, a missing
    incident and one not theirs). Every read of a photo is audited, whatever the marking: a
    photo can show who the people are."""
    incident = incident_for(user, incident_id)
    photo = incident.photos.filter(pk=photo_id).first()
    if photo is None:
        raise access.NotVisible()
    audit.record_for(incident, actor=user, action="read-photo", detail={"photo": photo.pk})
    return photo


def incident_history(user: Any, incident: Incident) -> dict[str, Any]:
    """Links (to incidents the user may also see), responses and primacy decisions."""
    # The incident's own links are few; the incidents the user may see can be a million. So the
    # links are read first and only their other ends are checked against the visibility rule
    # (an `IN (every visible id)` subquery took seconds for mission-wide roles).
    links_out = list(incident.links_out.select_related("to_incident"))
    links_in = list(incident.links_in.select_related("from_incident"))
    ends = {link.to_incident_id for link in links_out} | {
        link.from_incident_id for link in links_in
    }
    seen = (
        set(access.visible(user, Incident.objects.filter(pk__in=ends)).values_list("pk", flat=True))
        if ends
        else set()
    )
    links = [
        (link.kind, link.to_incident, link.linked_at)
        for link in links_out
        if link.to_incident_id in seen
    ] + [
        (link.kind, link.from_incident, link.linked_at)
        for link in links_in
        if link.from_incident_id in seen
    ]
    return {
        "links": links,
        **merge_history(user, incident),
        "responses": list(incident.responses.select_related("recorded_by")),
        "primacy_decisions": list(incident.primacy_decisions.select_related("decided_by")),
        "protected_people": list(
            access.visible(user, ProtectedPerson.objects.filter(incident=incident))
        ),
    }


def merge_history(user: Any, incident: Incident) -> dict[str, Any]:
    """Merges into this record and out of it, naming only records the user may also see."""
    merges = list(
        IncidentMerge.objects.filter(Q(kept=incident) | Q(duplicate=incident)).select_related(
            "kept", "duplicate", "duplicate__reported_by", "merged_by", "undone_by"
        )
    )
    others = {m.duplicate_id for m in merges} | {m.kept_id for m in merges}
    seen = set(
        access.visible(user, Incident.objects.filter(pk__in=others - {incident.pk})).values_list(
            "pk", flat=True
        )
    )
    live_out = next(
        (m for m in merges if m.duplicate_id == incident.pk and m.undone_at is None), None
    )
    return {
        "merges_in": [m for m in merges if m.kept_id == incident.pk and m.duplicate_id in seen],
        "merges_out": [m for m in merges if m.duplicate_id == incident.pk and m.kept_id in seen],
        # The live merge of this record, whether or not the kept record is visible: undoing it
        # needs both, which the service checks.
        "merged": live_out,
        "merged_into_visible": live_out is not None and live_out.kept_id in seen,
    }


def protected_people_for(user: Any, mission_id: int | None = None) -> QuerySet[ProtectedPerson]:
    qs = access.visible(user, ProtectedPerson.objects.all()).filter(voided_at__isnull=True)
    if mission_id is not None:
        qs = qs.filter(mission_id=mission_id)
    return qs


# --- background imports ------------------------------------------------------------------------


def import_missions(user: Any) -> list[Mission]:
    """Missions the user may import published datasets into (mission-wide analysts, commanders)."""
    candidates = access.missions_for(user, WORKFLOW, "import")
    return [
        mission
        for mission in Mission.objects.filter(pk__in=candidates).order_by("name")
        if access.can_in_scope(user, WORKFLOW, "import", mission_id=mission.pk)
    ]


def import_jobs_for(user: Any, mission_id: int | None = None) -> QuerySet[ImportJob]:
    qs = access.visible(
        user, ImportJob.objects.select_related("mission", "requested_by"), action="import"
    )
    return qs.filter(mission_id=mission_id) if mission_id is not None else qs


def import_job_visible(user: Any, pk: int) -> ImportJob:
    return access.get_visible(
        user,
        ImportJob.objects.select_related("mission", "requested_by"),
        action="import",
        pk=pk,
    )


def import_progress(job: ImportJob) -> int:
    """Percent of the file read: from the progress store while running, else from the status."""
    if job.status == ImportStatus.QUEUED:
        return 0
    if job.status != ImportStatus.RUNNING:
        return 100
    last = progress.read(PROGRESS_KIND, job.pk)
    return last.percent if last is not None else 0


#: How close in time and place another report must be to be offered as a possible duplicate.
DUPLICATE_HOURS = 24
DUPLICATE_KM = 5.0
DUPLICATE_SHOWN = 5
#: Reports of the same type in the time window read, at most, before distances are computed.
DUPLICATE_SCANNED = 200


@dataclass(frozen=True)
class DuplicateCandidate:
    incident: Incident
    hours_apart: float
    km_apart: float


def duplicate_candidates(*, user: Any, incident: Incident) -> list[DuplicateCandidate]:
    """Other live reports the user may see that could be the same event: same mission and
    type, within ``DUPLICATE_HOURS`` and ``DUPLICATE_KM``, and not already linked to it; the
    closest first (an hour apart weighs like a kilometre apart, each against its limit)."""
    import h3

    window = timedelta(hours=DUPLICATE_HOURS)
    linked = set(incident.links_out.values_list("to_incident_id", flat=True)) | set(
        incident.links_in.values_list("from_incident_id", flat=True)
    )
    nearby = (
        incidents_for(user)
        .filter(
            mission_id=incident.mission_id,
            incident_type=incident.incident_type,
            occurred_at__gte=incident.occurred_at - window,
            occurred_at__lte=incident.occurred_at + window,
        )
        .exclude(pk__in=linked | {incident.pk})
        .select_related("site")[:DUPLICATE_SCANNED]
    )
    found = []
    for other in nearby:
        km = float(
            h3.great_circle_distance(
                (incident.latitude, incident.longitude), (other.latitude, other.longitude), "km"
            )
        )
        if km > DUPLICATE_KM:
            continue
        hours = abs((other.occurred_at - incident.occurred_at).total_seconds()) / 3600
        found.append(DuplicateCandidate(other, hours_apart=hours, km_apart=km))
    found.sort(key=lambda c: c.hours_apart / DUPLICATE_HOURS + c.km_apart / DUPLICATE_KM)
    return found[:DUPLICATE_SHOWN]

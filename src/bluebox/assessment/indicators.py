"""The computations behind computed outcome indicators: each reads one register.

Every computation receives the :class:`~bluebox.core.access.Protection` of the audience it
computes for and reads its register only through :func:`bluebox.core.access.derived_inputs`,
so a value never counts a record its audience may not see. Each returns the numbers and their
provenance (the register, how many records, the rule), which the dashboard shows beside the
value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from bluebox.alerts.models import Alert
from bluebox.assessment import adapter
from bluebox.assessment.models import Indicator, Submission
from bluebox.core import access
from bluebox.core.roles import Resource
from bluebox.detention.models import Apprehension, CustodyStatus
from bluebox.engagement.models import Commitment, CommitmentStatus
from bluebox.evaluation import adapter as evaluation_adapter
from bluebox.evaluation.models import Intervention
from bluebox.evaluation.selectors import evaluate_on
from bluebox.hrddp.models import Decision
from bluebox.incidents.models import Incident
from bluebox.missions.models import FieldSite, Mission


@dataclass(frozen=True)
class Result:
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    lower: float | None = None
    upper: float | None = None
    suppressed: bool = False
    provenance: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Computation:
    name: str
    label: Any
    inputs: Resource
    compute: Callable[[Indicator, access.Protection, date, date], Result]


def _window(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time.min, UTC), datetime.combine(end, time.max, UTC)


def _share(numerator: int, denominator: int, provenance: dict[str, Any]) -> Result:
    if denominator == 0:
        return Result(None, numerator, denominator, provenance={**provenance, "note": "none due"})
    return Result(100.0 * numerator / denominator, numerator, denominator, provenance=provenance)


def incidents_against_civilians_per_10k(
    indicator: Indicator, protection: access.Protection, start: date, end: date
) -> Result:
    since, until = _window(start, end)
    incidents = access.derived_inputs(
        Incident.objects.filter(
            voided_at__isnull=True, civilian_targeting=True, occurred_at__range=(since, until)
        ),
        protection,
    )
    sites = FieldSite.objects.filter(mission_id=protection.mission_id)
    if protection.sector_id is not None:
        sites = sites.filter(sector_id=protection.sector_id)
    population = sites.aggregate(total=Sum("population"))["total"] or 0
    count = incidents.count()
    provenance = {
        "register": "incidents",
        "records": count,
        "rule": "incidents targeting civilians, not voided, occurred in the period",
        "population": population,
        "population_from": "field sites' population",
    }
    if not population:
        return Result(None, count, None, provenance={**provenance, "note": "no population"})
    return Result(10_000 * count / population, count, population, provenance=provenance)


def alerts_answered_in_time(
    indicator: Indicator, protection: access.Protection, start: date, end: date
) -> Result:
    since, until = _window(start, end)
    alerts = access.derived_inputs(
        Alert.objects.filter(voided_at__isnull=True, received_at__range=(since, until)),
        protection,
    )
    counts = alerts.aggregate(
        due=Count("pk"),
        in_time=Count(
            "pk",
            filter=Q(responded_at__isnull=False, responded_at__lte=F("respond_due_at")),
        ),
    )
    return _share(
        counts["in_time"],
        counts["due"],
        {
            "register": "community alerts",
            "records": counts["due"],
            "rule": "alerts received in the period answered by their response deadline",
        },
    )


def detainees_handed_over_within_limit(
    indicator: Indicator, protection: access.Protection, start: date, end: date
) -> Result:
    since, until = _window(start, end)
    ended = access.derived_inputs(
        Apprehension.objects.filter(
            voided_at__isnull=True,
            status__in=[CustodyStatus.HANDED_OVER, CustodyStatus.RELEASED],
            ended_at__range=(since, until),
        ),
        protection,
    )
    counts = ended.aggregate(
        ended=Count("pk", distinct=True),
        breached=Count("pk", filter=Q(breaches__deadline="limit"), distinct=True),
    )
    return _share(
        counts["ended"] - counts["breached"],
        counts["ended"],
        {
            "register": "detention",
            "records": counts["ended"],
            "rule": "custodies ended in the period (handed over or released) without a breach "
            "of the hard limit",
        },
    )


def hrddp_reviews_on_time(
    indicator: Indicator, protection: access.Protection, start: date, end: date
) -> Result:
    # A decision due for review in the period was reviewed on time when a later decision on
    # the same unit was taken by its review date.
    due = access.derived_inputs(
        Decision.objects.filter(voided_at__isnull=True, review_on__range=(start, end)), protection
    )
    on_time = 0
    total = 0
    later = access.derived_inputs(Decision.objects.filter(voided_at__isnull=True), protection)
    for decision in due:
        total += 1
        limit = datetime.combine(decision.review_on, time.max, UTC)
        if later.filter(
            partner_id=decision.partner_id,
            decided_at__gt=decision.decided_at,
            decided_at__lte=limit,
        ).exists():
            on_time += 1
    return _share(
        on_time,
        total,
        {
            "register": "HRDDP decisions",
            "records": total,
            "rule": "decisions due for review in the period followed by a new decision on the "
            "unit by the review date",
        },
    )


def commitments_kept(
    indicator: Indicator, protection: access.Protection, start: date, end: date
) -> Result:
    # Due in the period and undertaken: a commitment still only proposed, or dropped before
    # anyone agreed to it, was never a promise to keep. One done after its due day (on the
    # mission's own calendar) was done, but not kept.
    zone = ZoneInfo(Mission.objects.get(pk=protection.mission_id).timezone)
    due = (
        access.derived_inputs(
            Commitment.objects.filter(voided_at__isnull=True, due_on__range=(start, end)),
            protection,
        )
        .exclude(status=CommitmentStatus.PROPOSED)
        .exclude(
            updates__from_status=CommitmentStatus.PROPOSED,
            updates__to_status=CommitmentStatus.DROPPED,
        )
        .distinct()
    )
    total = 0
    kept = 0
    for status, due_on, done_at in due.values_list("status", "due_on", "done_at"):
        total += 1
        if status == CommitmentStatus.DONE and done_at is not None:
            kept += done_at.astimezone(zone).date() <= due_on
    return _share(
        kept,
        total,
        {
            "register": "engagement commitments",
            "records": total,
            "rule": "commitments agreed and due in the period done by their due date",
        },
    )


def survey_share(
    indicator: Indicator, protection: access.Protection, start: date, end: date
) -> Result:
    since, until = _window(start, end)
    if indicator.survey_form_id is None:
        return Result(None, provenance={"note": "no survey form set"})
    submissions = access.derived_inputs(
        Submission.objects.filter(
            form_id=indicator.survey_form_id,
            is_current=True,
            voided_at__isnull=True,
            received_at__range=(since, until),
        ).select_related("site"),
        protection,
    )
    analysis = adapter.analyse(
        submissions, question=indicator.survey_question, value=indicator.survey_value
    )
    e = analysis.overall
    provenance = {
        "register": "survey submissions",
        "records": e.n,
        "rule": f"weighted share answering {indicator.survey_value!r} to "
        f"{indicator.survey_question!r}, 95 % design-based interval",
        "excluded": analysis.excluded,
    }
    if e.suppressed or e.estimate is None:
        return Result(None, e.n, None, suppressed=True, provenance=provenance)
    return Result(
        100 * e.estimate,
        e.n,
        None,
        lower=100 * e.lower if e.lower is not None else None,
        upper=100 * e.upper if e.upper is not None else None,
        provenance=provenance,
    )


def interventions_with_protective_effect(
    indicator: Indicator, protection: access.Protection, start: date, end: date
) -> Result:
    # Interventions that were not randomised with at least one whole period of four weeks
    # after their start by the end of the period, and a start recent enough that the period
    # is among those evaluated: each is evaluated by synthetic control on the incidents the
    # audience may see, up to the period's end. A "measurable protective effect" is the
    # verdict "fewer incidents": an interval below zero and a placebo test that rejects.
    days = evaluation_adapter.PERIOD_DAYS
    latest = end - timedelta(days=days - 1)
    earliest = start - timedelta(days=evaluation_adapter.POST_PERIODS * days)
    interventions = access.derived_inputs(
        Intervention.objects.filter(
            voided_at__isnull=True, started_on__gte=earliest, started_on__lte=latest
        ).select_related("mission"),
        protection,
    )
    incidents = access.derived_inputs(Incident.objects.filter(voided_at__isnull=True), protection)
    others = access.derived_inputs(Intervention.objects.filter(voided_at__isnull=True), protection)
    estimates = []
    for intervention in interventions:
        e = evaluate_on(intervention, incidents, others, until=end).results.synthetic
        estimates.append(
            {
                "intervention": intervention.pk,
                "relative": e.to_dict()["relative"],
                "relative_low": e.to_dict()["relative_low"],
                "relative_high": e.to_dict()["relative_high"],
                "verdict": e.verdict,
            }
        )
    reductions = sum(1 for x in estimates if x["verdict"] == "reduction")
    return _share(
        reductions,
        len(estimates),
        {
            "register": "interventions and incidents",
            "records": len(estimates),
            "rule": "interventions evaluated by synthetic control whose verdict is fewer "
            "incidents (95 % interval below zero, placebo test at 5 %)",
            "estimates": estimates,
            "insufficient": sum(1 for x in estimates if x["verdict"] == "insufficient_data"),
        },
    )


COMPUTATIONS: dict[str, Computation] = {
    c.name: c
    for c in [
        Computation(
            "incidents_against_civilians_per_10k",
            _("Incidents against civilians per 10,000 people"),
            Resource.INCIDENT,
            incidents_against_civilians_per_10k,
        ),
        Computation(
            "alerts_answered_in_time",
            _("Community alerts answered within their clock"),
            Resource.ALERT,
            alerts_answered_in_time,
        ),
        Computation(
            "detainees_handed_over_within_limit",
            _("Detainees handed over or released within the limit"),
            Resource.DETENTION,
            detainees_handed_over_within_limit,
        ),
        Computation(
            "hrddp_reviews_on_time",
            _("HRDDP decisions reviewed on time"),
            Resource.HRDDP,
            hrddp_reviews_on_time,
        ),
        Computation(
            "commitments_kept",
            _("Commitments to communities kept on time"),
            Resource.ENGAGEMENT,
            commitments_kept,
        ),
        Computation(
            "interventions_with_protective_effect",
            _("Interventions with a measurable protective effect"),
            Resource.INCIDENT,
            interventions_with_protective_effect,
        ),
        Computation(
            "survey_share",
            _("Survey: share giving an answer"),
            Resource.SURVEY_RESPONSE,
            survey_share,
        ),
    ]
}

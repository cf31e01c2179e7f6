"""Demo data for assessment: a perception survey in two rounds and the mission's indicators.

Called by the demo loader once the mission, its accounts, incidents, detention and HRDDP
records exist, engagement commitments included. Deterministic for a given mission and day (a
seeded generator, times relative to ``now``); respondents are synthetic. Six of the eight
indicators are computed from the registers, two are entered with their evidence.
"""

from __future__ import annotations

import io
import random
from datetime import date, datetime, time, timedelta

import openpyxl
from django.utils import timezone

from bluebox.assessment import services
from bluebox.core.models import User
from bluebox.missions.models import FieldSite, Mission

FORM_ID = "minuvar_perception"
RESPONDENTS_PER_ROUND = 90


def _xlsform(site_codes: list[str]) -> bytes:
    book = openpyxl.Workbook()
    survey = book.active
    assert survey is not None  # noqa: S101 - a new workbook has its sheet
    survey.title = "survey"
    for row in [
        ["type", "name", "label::English (en)", "label::Français (fr)"],
        ["select_one site", "site", "Field site", "Site"],
        ["select_one yn", "trust", "Do you trust the UN police here?",
         "Faites-vous confiance à la police de l'ONU ici ?"],
        ["select_one yn", "safe", "Do you feel safe walking at night?",
         "Vous sentez-vous en sécurité en marchant la nuit ?"],
        ["select_one sex", "sex", "Sex", "Sexe"],
        ["integer", "age", "Age", "Âge"],
        ["text", "comment", "Anything to add?", "Autre chose ?"],
        ["decimal", "weight", "Sampling weight", "Poids de sondage"],
        ["text", "cluster", "Cluster (enumeration area)", "Grappe (zone de dénombrement)"],
    ]:  # fmt: skip
        survey.append(row)
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)", "label::Français (fr)"])
    for row in [
        ["yn", "yes", "Yes", "Oui"],
        ["yn", "no", "No", "Non"],
        ["sex", "female", "Female", "Femme"],
        ["sex", "male", "Male", "Homme"],
    ]:
        choices.append(row)
    for code in site_codes:
        choices.append(["site", code, code, code])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "form_title", "version", "default_language"])
    settings.append([FORM_ID, "Perception of safety and trust", "2026110101", "English (en)"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _instance(
    n: int, site: str, trust: bool, safe: bool, sex: str, age: int, weight: float
) -> bytes:
    return (
        f'<data id="{FORM_ID}" version="2026110101"><site>{site}</site>'
        f"<trust>{'yes' if trust else 'no'}</trust><safe>{'yes' if safe else 'no'}</safe>"
        f"<sex>{sex}</sex><age>{age}</age><comment/><weight>{weight:.2f}</weight>"
        f"<cluster>{site}-{n % 3}</cluster>"
        f"<meta><instanceID>uuid:demo-{n:05d}</instanceID></meta></data>"
    ).encode()


def load_demo_assessment(mission: Mission, *, end: datetime | None = None) -> int:
    """Upload the perception survey, collect two rounds, define and compute the indicators.

    ``end`` is the end of the demo's history (its last incident): rounds and indicator months
    are placed before it, so the indicators count the generated registers. The second round
    stays open for collection until two months after the real today, so ODK Collect can be
    tried on the demo. Returns the number of submissions stored.
    """
    now = end or timezone.now()
    today = timezone.localdate(now)
    analyst = User.objects.get(username="analyst")
    commissioner = User.objects.get(username="commissioner")
    sites = list(FieldSite.objects.filter(mission=mission).order_by("code"))
    version = services.form_upload(
        actor=analyst,
        mission_id=mission.pk,
        content=_xlsform([s.code for s in sites]),
        filename="minuvar_perception.xlsx",
        at=now,
    )
    rounds = [
        ("Round 1", today - timedelta(days=120), today - timedelta(days=61)),
        (
            "Round 2",
            today - timedelta(days=60),
            max(today, timezone.localdate()) + timedelta(days=60),
        ),
    ]
    for label, opens, closes in rounds:
        services.form_assign(
            actor=analyst,
            form_pk=version.form_id,
            opens_on=opens,
            closes_on=closes,
            round_label=label,
        )
    rng = random.Random(f"{mission.code}-perception")  # noqa: S311 - synthetic respondents
    stored = 0
    for r, (_label, opens, _closes) in enumerate(rounds):
        # Trust rises between the rounds, more where sectors are calm.
        for i in range(RESPONDENTS_PER_ROUND):
            site = sites[rng.randrange(len(sites))]
            base = 0.45 + 0.12 * r - (0.15 if site.sector.code == "east" else 0.0)
            received = datetime.combine(
                opens + timedelta(days=rng.randrange(45)), time(10), now.tzinfo
            )
            services.submission_receive(
                actor=analyst,
                mission=mission,
                xml=_instance(
                    r * 1000 + i,
                    site.code,
                    trust=rng.random() < base,
                    safe=rng.random() < base + 0.1,
                    sex=rng.choice(["female", "male"]),
                    age=rng.randrange(16, 75),
                    weight=rng.uniform(0.6, 2.4),
                ),
                at=received,
            )
            stored += 1
    _define_indicators(mission, version.form_id, analyst, commissioner)
    # The months from four before the history's end to the real current month (custodies and
    # HRDDP decisions of the demo are placed relative to the real today).
    latest = max(today, timezone.localdate())
    month, _last = _month(today, 4)
    while month <= latest:
        following = (month + timedelta(days=32)).replace(day=1)
        services.indicators_compute(
            actor=analyst,
            mission_id=mission.pk,
            period_start=month,
            period_end=min(following - timedelta(days=1), latest),
        )
        month = following
    last_start, last_end = _month(today, 1)
    services.indicator_value_enter(
        actor=analyst,
        indicator_pk=_code(mission, "host-police-vetted-trained"),
        period_start=last_start,
        period_end=last_end,
        value=46,
        evidence="Attendance sheets of the two vetted courses (synthetic)",
    )
    services.indicator_value_enter(
        actor=analyst,
        indicator_pk=_code(mission, "gender-desks-operational"),
        period_start=last_start,
        period_end=last_end,
        value=5,
        evidence="Site visit reports of the gender desks (synthetic)",
    )
    return stored


def _month(today: date, months_ago: int) -> tuple[date, date]:
    first = today.replace(day=1)
    for _ in range(months_ago):
        first = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, min(following - timedelta(days=1), today)


def _code(mission: Mission, code: str) -> int:
    from bluebox.assessment.models import Indicator

    return Indicator.objects.get(mission=mission, code=code).pk


def _define_indicators(mission: Mission, form_pk: int, analyst: User, commissioner: User) -> None:
    computed = [
        ("poc-incidents-per-10k", "Incidents against civilians per 10,000 people", "per_10k",
         "incidents_against_civilians_per_10k", False, 1.2, 0.8, "sector"),
        ("alerts-answered-in-time", "Community alerts answered within their clock", "percent",
         "alerts_answered_in_time", True, 60.0, 85.0, "sector"),
        ("custody-within-limit", "Detainees handed over or released within the limit", "percent",
         "detainees_handed_over_within_limit", True, 80.0, 100.0, "sector"),
        ("hrddp-reviews-on-time", "HRDDP decisions reviewed on time", "percent",
         "hrddp_reviews_on_time", True, 50.0, 90.0, ""),
        ("commitments-kept", "Commitments to communities kept on time", "percent",
         "commitments_kept", True, 50.0, 80.0, "sector"),
    ]  # fmt: skip
    for code, name, unit, computation, higher, baseline, target, by in computed:
        services.indicator_define(
            actor=analyst,
            code=code,
            name=name,
            definition=name + ", computed from the register each month.",
            unit=unit,
            source="computed",
            computation=computation,
            owner="Police analysis cell",
            higher_is_better=higher,
            baseline=baseline,
            target=target,
            disaggregation=by,
            data_source="bluebox registers",
            mission_id=mission.pk,
        )
    services.indicator_define(
        actor=analyst,
        code="trust-in-police",
        name="Residents who trust the UN police",
        definition="Weighted share of respondents answering yes to 'Do you trust the UN police "
        "here?', with its 95 % interval.",
        unit="percent",
        source="computed",
        computation="survey_share",
        owner="Police analysis cell",
        baseline=45.0,
        target=60.0,
        disaggregation="sex, age band, site",
        data_source="perception survey",
        survey_form_pk=form_pk,
        survey_question="trust",
        survey_value="yes",
        mission_id=mission.pk,
    )
    for code, name, owner in [
        ("host-police-vetted-trained", "Host-state police officers vetted and trained",
         "Capacity-building unit"),
        ("gender-desks-operational", "Police stations with an operational gender desk",
         "SGBV team"),
    ]:  # fmt: skip
        services.indicator_define(
            actor=commissioner,
            code=code,
            name=name,
            definition=name + ", from the unit's monthly report.",
            unit="count",
            source="entered",
            owner=owner,
            data_source="monthly report",
            mission_id=mission.pk,
        )

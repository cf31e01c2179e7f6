"""Engagement pages: dialogues and their sessions, commitments and follow-up, protection
committees and plans, courses and trainees, the reports (with a printable PDF)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bluebox.alerts.models import OutboundMessage
from bluebox.core import access, web
from bluebox.core.bounds import query_id
from bluebox.core.classification import Classification
from bluebox.core.exceptions import ServiceError, StepUpRequired
from bluebox.core.models import RoleAssignment, User
from bluebox.core.pdf import marking_of
from bluebox.core.pdf import render as pdf_render
from bluebox.core.roles import Resource
from bluebox.engagement import charts, selectors, services
from bluebox.engagement.forms import (
    CommitteeForm,
    ContactCheckForm,
    CourseForm,
    CourseSessionForm,
    DialogueForm,
    DueForm,
    LinkIncidentForm,
    MeasureForm,
    MemberForm,
    ObservationForm,
    ParticipantForm,
    PhaseForm,
    PlanForm,
    RevealForm,
    ScoresForm,
    SessionForm,
    StatusForm,
    TraineeForm,
)
from bluebox.engagement.models import (
    TRANSITIONS,
    CertificateStatus,
    CommitmentStatus,
    CommitteeMember,
    FollowUpMessage,
    Participant,
    Sex,
    StakeholderGroup,
    TraineeResult,
)
from bluebox.hrddp.models import HOST_STATE_KINDS
from bluebox.missions.models import FieldSite, Mission, PartnerOrganisation

R = TypeVar("R")


def _refused(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


def _missions(request: HttpRequest, resource: Resource, action: str) -> list[Mission]:
    ids = access.missions_for(request.user, resource, action)
    return list(Mission.objects.filter(pk__in=ids).order_by("name"))


def _sites_for(request: HttpRequest, mission: Mission) -> list[tuple[int, str]]:
    """Sites where this person may run engagement (a site officer: their site)."""
    sites = FieldSite.objects.filter(mission=mission).order_by("name")
    return [
        (s.pk, s.name)
        for s in sites
        if access.can_in_scope(
            request.user,
            Resource.ENGAGEMENT,
            "manage",
            mission_id=mission.pk,
            sector_id=s.sector_id,
            site_id=s.pk,
        )
    ]


def _mission_param(request: HttpRequest, missions: list[Mission]) -> Mission | None:
    wanted = query_id(request.GET, "mission")
    for mission in missions:
        if wanted is None or mission.pk == wanted:
            return mission
    return None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    missions = list(selectors.missions_for(request.user))
    if not missions:
        return _refused(request)
    now = timezone.now()
    return render(
        request,
        "engagement/home.html",
        {
            "dialogues": selectors.dialogues_for(request.user),
            "committees": selectors.committees_for(request.user),
            "courses": selectors.courses_for(request.user),
            "overdue": selectors.overdue_count(request.user, now),
            "unread": selectors.unread_count(request.user),
            "may_manage": selectors.may_manage(request.user),
            "may_train": bool(access.grants(request.user, Resource.TRAINING, "manage")),
            "missions": missions,
        },
    )


def _create_page(
    request: HttpRequest,
    resource: Resource,
    kind: str,
    form_for: Callable[[Mission], forms.Form],
    create: Callable[[Mission, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    """The page that opens a new ``kind`` (dialogue, committee, course) in the mission asked for,
    then shows what it created."""
    mission = _mission_param(request, _missions(request, resource, "manage"))
    if mission is None:
        return _refused(request)
    form = form_for(mission)
    template = f"engagement/{kind}_new.html"
    if request.method == "POST":
        if not form.is_valid():
            return render(request, template, {"form": form, "mission": mission}, status=400)
        return web.call_and_redirect(
            request,
            lambda: create(mission, form.cleaned_data),
            to=lambda record: (f"engagement-{kind}", record.pk),
            failed_to=f"{request.path}?mission={mission.pk}",
            done=done,
        )
    return render(request, template, {"form": form, "mission": mission})


# --- dialogues ---


@login_required
def dialogue_new(request: HttpRequest) -> HttpResponse:
    return _create_page(
        request,
        Resource.ENGAGEMENT,
        "dialogue",
        lambda mission: DialogueForm(request.POST or None, sites=_sites_for(request, mission)),
        lambda mission, data: services.dialogue_create(
            actor=request.user,
            mission_id=mission.pk,
            site_id=data["site"],
            title=data["title"],
            community=data["community"],
            started_on=data["started_on"],
            stakeholder_groups=data["stakeholder_groups"],
            facilitator_name=data["facilitator_name"],
            objective=data["objective"],
            classification=data["classification"],
        ),
        _("Dialogue opened."),
    )


@login_required
def dialogue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = selectors.dialogue_get(request.user, pk)
    now = timezone.now()
    sessions = list(selectors.sessions_for(request.user, dialogue))
    access.audit_reads(request.user, sessions)
    commitments = list(
        selectors.commitments_for(
            request.user, selectors.CommitmentFilters(dialogue_id=dialogue.pk), now=now
        )
    )
    for c in commitments:
        c.overdue = selectors.is_overdue(c, now)  # type: ignore[attr-defined]
    may_manage = access.can(request.user, "manage", dialogue)
    return render(
        request,
        "engagement/dialogue.html",
        {
            "dialogue": dialogue,
            "groups": [StakeholderGroup(g).label for g in dialogue.stakeholder_groups],
            "sessions": sessions,
            "commitments": commitments,
            "participants": selectors.participants_for(request.user, dialogue),
            "harm_checks": selectors.harm_checks_for(request.user, dialogue),
            "may_manage": may_manage,
            "may_reveal": access.can(request.user, "reveal_contact", dialogue),
            "phase_form": PhaseForm(initial={"phase": dialogue.phase}),
            "participant_form": ParticipantForm(),
            "check_form": ContactCheckForm(),
        },
    )


@login_required
@require_POST
def dialogue_phase(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = selectors.dialogue_get(request.user, pk)
    return web.submit(
        request,
        PhaseForm(request.POST),
        lambda data: services.dialogue_phase(actor=request.user, dialogue_id=dialogue.pk, **data),
        to=("engagement-dialogue", dialogue.pk),
        invalid=_("Choose a phase."),
        done=_("Phase changed."),
    )


@login_required
@require_POST
def participant_new(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = selectors.dialogue_get(request.user, pk)
    return web.submit(
        request,
        ParticipantForm(request.POST),
        lambda data: services.participant_add(actor=request.user, dialogue_id=dialogue.pk, **data),
        to=("engagement-dialogue", dialogue.pk),
        invalid=_("Check the participant's group and details."),
        done=_("Participant added."),
    )


@login_required
@require_POST
def participant_opt_out(request: HttpRequest, pk: int) -> HttpResponse:
    participant = access.get_visible(request.user, Participant.objects.all(), pk=pk)
    return web.call_and_redirect(
        request,
        lambda: services.participant_opt_out(actor=request.user, participant_id=participant.pk),
        to=("engagement-dialogue", participant.dialogue_id),
        done=_("No more follow-up messages will be sent to this participant."),
    )


def _reveal(request: HttpRequest, record: Any, reveal: Any, back: tuple[str, int]) -> HttpResponse:
    form = RevealForm(request.POST or None)
    revealed = None
    status = 200
    if request.method == "POST" and form.is_valid():
        if not web.step_up(request, form, record=record):
            status = 400
        else:
            try:
                revealed = reveal(form.cleaned_data["purpose"])
            except StepUpRequired as exc:
                access.record_refusal(exc)  # the service's rollback took its entry
                form.add_error("code", _("Type a current code (or use a passkey) to reveal."))
                status = 403
            except ServiceError as exc:
                form.add_error("purpose", exc.message)
                status = 400
    return render(
        request,
        "engagement/reveal.html",
        {"record": record, "form": form, "revealed": revealed, "back": back},
        status=status,
    )


@login_required
def participant_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    participant = access.get_visible(request.user, Participant.objects.all(), pk=pk)
    return _reveal(
        request,
        participant,
        lambda purpose: services.participant_reveal(
            actor=request.user, participant_id=participant.pk, purpose=purpose
        ),
        ("engagement-dialogue", participant.dialogue_id),
    )


@login_required
@require_POST
def harm_check_new(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = selectors.dialogue_get(request.user, pk)
    form = ContactCheckForm(request.POST)
    return web.submit(
        request,
        form,
        lambda data: services.harm_check_record(
            actor=request.user, dialogue_id=dialogue.pk, contact=data["contact"], harm=form.harm()
        ),
        to=("engagement-dialogue", dialogue.pk),
        invalid=_("Complete the do-no-harm check."),
        done=_("Do-no-harm check recorded."),
    )


def _people(mission_id: int) -> list[tuple[int, str]]:
    ids = RoleAssignment.objects.filter(mission_id=mission_id).values_list("user_id", flat=True)
    return [
        (u.pk, str(u)) for u in User.objects.filter(pk__in=ids, is_active=True).order_by("username")
    ]


def _organisations(mission_id: int) -> list[tuple[int, str]]:
    return [
        (p.pk, p.name)
        for p in PartnerOrganisation.objects.filter(mission_id=mission_id).order_by("name")
    ]


def _all_sites(mission_id: int) -> list[tuple[int, str]]:
    return [
        (s.pk, s.name) for s in FieldSite.objects.filter(mission_id=mission_id).order_by("name")
    ]


@login_required
def session_new(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = selectors.dialogue_get(request.user, pk)
    if not access.can(request.user, "manage", dialogue):
        return _refused(request)
    form = SessionForm(
        request.POST or None,
        initial={"classification": dialogue.classification},
        groups=dialogue.stakeholder_groups,
        people=_people(dialogue.mission_id),
        organisations=_organisations(dialogue.mission_id),
        sites=_all_sites(dialogue.mission_id),
    )
    context = {"dialogue": dialogue, "form": form}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "engagement/session_new.html", context, status=400)
        data = form.cleaned_data
        try:
            session = services.session_record(
                actor=request.user,
                dialogue_id=dialogue.pk,
                held_on=data["held_on"],
                place=data["place"],
                agenda=data["agenda"],
                minutes=data["minutes"],
                classification=data["classification"],
                harm=form.harm(),
                attendance=form.attendance(),
                problems=form.problems(),
                commitments=form.commitments(),
            )
        except ServiceError as exc:
            web.flash_errors(request, exc)
            return render(request, "engagement/session_new.html", context, status=400)
        messages.success(request, _("Session recorded."))
        return redirect("engagement-session", pk=session.pk)
    return render(request, "engagement/session_new.html", context)


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(request.user, pk)
    now = timezone.now()
    attendance = list(selectors.attendance_for(request.user, session))
    commitments = list(selectors.commitments_for(request.user, now=now).filter(session=session))
    for c in commitments:
        c.overdue = selectors.is_overdue(c, now)  # type: ignore[attr-defined]
    return render(
        request,
        "engagement/session.html",
        {
            "session": session,
            "dialogue": session.dialogue,
            "attendance": attendance,
            "total": sum(a.count for a in attendance),
            "checks": selectors.problem_checks(request.user, session),
            "commitments": commitments,
            "window": selectors.PROBLEM_WINDOW_DAYS,
        },
    )


# --- commitments ---


@login_required
def commitment_list(request: HttpRequest) -> HttpResponse:
    if not selectors.missions_for(request.user).exists():
        return _refused(request)
    now = timezone.now()
    status = request.GET.get("status", "")
    overdue = request.GET.get("overdue") == "1"
    filters = selectors.CommitmentFilters(
        status=status if status in CommitmentStatus.values else None, overdue=overdue
    )
    commitments = list(selectors.commitments_for(request.user, filters, now=now)[:500])
    for c in commitments:
        c.overdue = selectors.is_overdue(c, now)  # type: ignore[attr-defined]
    return render(
        request,
        "engagement/commitments.html",
        {
            "commitments": commitments,
            "statuses": CommitmentStatus.choices,
            "status": status,
            "overdue_only": overdue,
        },
    )


@login_required
def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = selectors.commitment_get(request.user, pk)
    now = timezone.now()
    updates = list(selectors.updates_for(request.user, commitment))
    deliveries: dict[str, int] = {}
    for status in FollowUpMessage.objects.filter(update__commitment=commitment).values_list(
        "message__status", flat=True
    ):
        deliveries[str(OutboundMessage.Status(status).label)] = (
            deliveries.get(str(OutboundMessage.Status(status).label), 0) + 1
        )
    next_statuses = [(s, CommitmentStatus(s).label) for s in TRANSITIONS[commitment.status]]
    form = StatusForm()
    cast(forms.ChoiceField, form.fields["status"]).choices = next_statuses
    return render(
        request,
        "engagement/commitment.html",
        {
            "commitment": commitment,
            "overdue": selectors.is_overdue(commitment, now),
            "updates": updates,
            "incidents": selectors.linked_incidents(request.user, commitment),
            "may_follow_up": access.can(request.user, "follow_up", commitment),
            "status_form": form if next_statuses else None,
            "link_form": LinkIncidentForm(),
            "due_form": DueForm(initial={"due_on": commitment.due_on}),
            "deliveries": sorted(deliveries.items()),
        },
    )


@login_required
@require_POST
def commitment_status(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = selectors.commitment_get(request.user, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the new status and give the evidence."))
        return redirect("engagement-commitment", pk=commitment.pk)
    try:
        update = services.commitment_update(
            actor=request.user, commitment_id=commitment.pk, **form.cleaned_data
        )
    except ServiceError as exc:
        web.flash_errors(request, exc)
        return redirect("engagement-commitment", pk=commitment.pk)
    messages.success(
        request,
        _("Status changed; %(sms)d SMS sent and %(inbox)d inbox notices to the participants.")
        % {"sms": update.sms_sent, "inbox": update.inbox_sent},
    )
    return redirect("engagement-commitment", pk=commitment.pk)


@login_required
@require_POST
def commitment_link(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = selectors.commitment_get(request.user, pk)
    return web.submit(
        request,
        LinkIncidentForm(request.POST),
        lambda data: services.commitment_link_incidents(
            actor=request.user, commitment_id=commitment.pk, incident_ids=[data["incident"]]
        ),
        to=("engagement-commitment", commitment.pk),
        invalid=_("Give an incident number."),
        done=_("Incident linked."),
    )


@login_required
@require_POST
def commitment_due(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = selectors.commitment_get(request.user, pk)
    return web.submit(
        request,
        DueForm(request.POST),
        lambda data: services.commitment_due_change(
            actor=request.user, commitment_id=commitment.pk, **data
        ),
        to=("engagement-commitment", commitment.pk),
        invalid=_("Give the new date and why."),
        done=_("Due date changed."),
    )


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    from bluebox.engagement.followup import public_summary

    rows = []
    for notice in selectors.notices_for(request.user)[:100]:
        commitment = notice.commitment
        rows.append(
            {
                "notice": notice,
                "summary": public_summary(commitment) if commitment is not None else "",
                "status": CommitmentStatus(notice.status).label
                if notice.status in CommitmentStatus.values
                else "",
                # A link only for those who may open the record; the notice says the rest.
                "link": commitment is not None and access.can(request.user, "view", commitment),
            }
        )
    return render(request, "engagement/notices.html", {"rows": rows})


@login_required
@require_POST
def notices_read(request: HttpRequest) -> HttpResponse:
    services.notices_read(actor=request.user)
    return redirect("engagement-notices")


# --- committees ---


@login_required
def committee_new(request: HttpRequest) -> HttpResponse:
    return _create_page(
        request,
        Resource.ENGAGEMENT,
        "committee",
        lambda mission: CommitteeForm(request.POST or None, sites=_sites_for(request, mission)),
        lambda mission, data: services.committee_create(
            actor=request.user,
            mission_id=mission.pk,
            site_id=data["site"],
            name=data["name"],
            community=data["community"],
            formed_on=data["formed_on"],
        ),
        _("Committee recorded."),
    )


@login_required
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    committee = selectors.committee_get(request.user, pk)
    today = selectors.mission_today(committee.mission, timezone.now())
    return render(
        request,
        "engagement/committee.html",
        {
            "committee": committee,
            "members": selectors.members_for(request.user, committee),
            "plans": selectors.plans_for(request.user, committee),
            "times": selectors.response_times(request.user, committee),
            "today": today,
            "may_manage": access.can(request.user, "manage", committee),
            "may_reveal": access.can(request.user, "reveal_contact", committee),
            "member_form": MemberForm(),
            "plan_form": PlanForm(),
            "measure_form": MeasureForm(),
        },
    )


@login_required
@require_POST
def member_new(request: HttpRequest, pk: int) -> HttpResponse:
    committee = selectors.committee_get(request.user, pk)
    return web.submit(
        request,
        MemberForm(request.POST),
        lambda data: services.member_add(actor=request.user, committee_id=committee.pk, **data),
        to=("engagement-committee", committee.pk),
        invalid=_("Check the member's role and group."),
        done=_("Member added."),
    )


@login_required
def member_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    member = access.get_visible(request.user, CommitteeMember.objects.all(), pk=pk)
    return _reveal(
        request,
        member,
        lambda purpose: services.member_reveal(
            actor=request.user, member_id=member.pk, purpose=purpose
        ),
        ("engagement-committee", member.committee_id),
    )


@login_required
@require_POST
def plan_new(request: HttpRequest, pk: int) -> HttpResponse:
    committee = selectors.committee_get(request.user, pk)
    return web.submit(
        request,
        PlanForm(request.POST),
        lambda data: services.plan_create(
            actor=request.user,
            committee_id=committee.pk,
            title=data["title"],
            adopted_on=data["adopted_on"],
            review_on=data["review_on"],
            measures=[
                {
                    "threat": data["threat"],
                    "incident_type": data["incident_type"],
                    "measure": data["measure"],
                    "owner": data["owner"],
                    "review_on": data["measure_review_on"],
                }
            ],
        ),
        to=("engagement-committee", committee.pk),
        invalid=_("A plan needs a title, dates, and a first threat with its measure."),
        done=_("Protection plan recorded."),
    )


@login_required
@require_POST
def measure_new(request: HttpRequest, pk: int) -> HttpResponse:
    from bluebox.engagement.models import ProtectionPlan

    plan = access.get_visible(request.user, ProtectionPlan.objects.all(), pk=pk)
    return web.submit(
        request,
        MeasureForm(request.POST),
        lambda data: services.plan_measure_add(actor=request.user, plan_id=plan.pk, **data),
        to=("engagement-committee", plan.committee_id),
        invalid=_("A threat, a measure, an owner and a review date."),
        done=_("Measure added."),
    )


@login_required
@require_POST
def measure_done(request: HttpRequest, pk: int) -> HttpResponse:
    from bluebox.engagement.models import PlanMeasure

    item = access.get_visible(request.user, PlanMeasure.objects.select_related("plan"), pk=pk)
    return web.call_and_redirect(
        request,
        lambda: services.plan_measure_done(actor=request.user, measure_id=item.pk),
        to=("engagement-committee", item.plan.committee_id),
        done=_("Measure done."),
    )


# --- capacity building ---


@login_required
def course_new(request: HttpRequest) -> HttpResponse:
    return _create_page(
        request,
        Resource.TRAINING,
        "course",
        lambda mission: CourseForm(request.POST or None),
        lambda mission, data: services.course_create(
            actor=request.user, mission_id=mission.pk, **data
        ),
        _("Course recorded."),
    )


def _units(mission_id: int) -> list[tuple[int, str]]:
    return [
        (p.pk, p.name)
        for p in PartnerOrganisation.objects.filter(
            mission_id=mission_id, kind__in=HOST_STATE_KINDS
        ).order_by("name")
    ]


@login_required
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(request.user, pk)
    sessions = []
    for session in selectors.course_sessions_for(request.user, course):
        trainees = list(selectors.trainees_for(request.user, session=session))
        observations: dict[int, list[Any]] = {}
        for o in selectors.observations_for(request.user, [t.pk for t in trainees]):
            observations.setdefault(o.trainee_id, []).append(o)
        for t in trainees:
            t.seen = observations.get(t.pk, [])  # type: ignore[attr-defined]
        sessions.append((session, trainees))
    return render(
        request,
        "engagement/course.html",
        {
            "course": course,
            "sessions": sessions,
            "may_manage": access.can(request.user, "manage", course),
            "session_form": CourseSessionForm(),
            "trainee_form": TraineeForm(units=_units(course.mission_id)),
            "scores_form": ScoresForm(),
            "observation_form": ObservationForm(),
            "passed": TraineeResult.PASSED,
            "issued": CertificateStatus.ISSUED,
        },
    )


@login_required
@require_POST
def course_session_new(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(request.user, pk)
    return web.submit(
        request,
        CourseSessionForm(request.POST),
        lambda data: services.course_session_create(
            actor=request.user, course_id=course.pk, **data
        ),
        to=("engagement-course", course.pk),
        invalid=_("Dates, place and trainers."),
        done=_("Course session recorded."),
    )


def _gated(call: Callable[..., R]) -> Callable[..., R]:
    """``call``, with a refusal by the HRDDP gate audited before it is shown."""

    def run(*args: Any) -> R:
        try:
            return call(*args)
        except ServiceError as exc:
            access.record_refusal(exc)
            raise

    return run


@login_required
@require_POST
def trainee_new(request: HttpRequest, pk: int) -> HttpResponse:
    from bluebox.engagement.models import CourseSession

    session = access.get_visible(request.user, CourseSession.objects.all(), pk=pk)
    return web.submit(
        request,
        TraineeForm(request.POST, units=_units(session.mission_id)),
        _gated(
            lambda data: services.trainee_enrol(
                actor=request.user,
                session_id=session.pk,
                unit_id=data["unit"],
                name=data["name"],
                rank=data["rank"],
                sex=data["sex"],
                pre_score=data["pre_score"],
            )
        ),
        to=("engagement-course", session.course_id),
        invalid=_("Choose the unit and give the trainee's name."),
        done=_("Trainee enrolled."),
    )


def _trainee(request: HttpRequest, pk: int) -> Any:
    from bluebox.engagement.models import Trainee

    return access.get_visible(request.user, Trainee.objects.select_related("session"), pk=pk)


@login_required
@require_POST
def trainee_scores(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = _trainee(request, pk)
    return web.submit(
        request,
        ScoresForm(request.POST),
        _gated(
            lambda data: services.trainee_scores(actor=request.user, trainee_id=trainee.pk, **data)
        ),
        to=("engagement-course", trainee.session.course_id),
        invalid=_("Scores from 0 to 100."),
        done=_("Scores recorded."),
    )


@login_required
@require_POST
def certificate_issue(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = _trainee(request, pk)
    return web.call_and_redirect(
        request,
        _gated(lambda: services.certificate_issue(actor=request.user, trainee_id=trainee.pk)),
        to=("engagement-course", trainee.session.course_id),
        done=_("Certificate issued."),
    )


@login_required
@require_POST
def observation_new(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = _trainee(request, pk)
    return web.submit(
        request,
        ObservationForm(request.POST),
        _gated(
            lambda data: services.observation_add(actor=request.user, trainee_id=trainee.pk, **data)
        ),
        to=("engagement-course", trainee.session.course_id),
        invalid=_("Date, rating from 1 to 5 and what was observed."),
        done=_("Observation recorded."),
    )


# --- reports ---


def _report_context(request: HttpRequest, report: selectors.Report) -> dict[str, Any]:
    sexes = [(s.value, s.label) for s in Sex]
    months = list(report.attendance_by_month.items())
    groups = [(str(StakeholderGroup(g).label), v) for g, v in report.attendance_by_group.items()]
    statuses = report.commitments.by_status
    return {
        "report": report,
        "status_rows": [(CommitmentStatus(s).label, n) for s, n in statuses.items()],
        "chart_months": charts.stacked_bars(months, sexes, title=_("Attendance by month and sex")),
        "chart_groups": charts.stacked_bars(groups, sexes, title=_("Attendance by group and sex")),
        "chart_status": charts.stacked_bars(
            [(str(CommitmentStatus(s).label), {"n": n}) for s, n in statuses.items()],
            [("n", _("Commitments"))],
            title=_("Commitments by status"),
        ),
        "results": [(r.value, r.label) for r in TraineeResult],
        "marking": marking_of(report.classification),
    }


def _report_for(request: HttpRequest) -> selectors.Report:
    now = timezone.now()
    dialogue_id = query_id(request.GET, "dialogue")
    if dialogue_id is not None:
        dialogue = selectors.dialogue_get(request.user, dialogue_id)
        return selectors.report(request.user, now=now, dialogue=dialogue)
    missions = list(selectors.missions_for(request.user))
    mission = _mission_param(request, missions)
    if mission is None:
        raise Http404
    return selectors.report(request.user, now=now, mission_id=mission.pk)


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    if not selectors.missions_for(request.user).exists():
        return _refused(request)
    report = _report_for(request)
    languages = (report.mission.settings or {}).get("languages") if report.mission else None
    return render(
        request,
        "engagement/report.html",
        {**_report_context(request, report), "languages": languages or ["en", "fr"]},
    )


@login_required
def report_pdf(request: HttpRequest) -> HttpResponse:
    if not selectors.missions_for(request.user).exists():
        return _refused(request)
    report = _report_for(request)
    mission_languages = (report.mission.settings or {}).get("languages") if report.mission else None
    language = request.GET.get("lang", "")
    if language not in (mission_languages or ["en", "fr"]):
        language = translation.get_language() or "en"
    with translation.override(language):
        html = render_to_string(
            "engagement/report_pdf.html",
            {**_report_context(request, report), "printed": timezone.now(), "lang": language},
            request=request,
        )
    pdf = pdf_render(
        html,
        marking=marking_of(report.classification or Classification.UNCLASSIFIED),
        base_url=request.build_absolute_uri("/"),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    scope = f"dialogue-{report.dialogue.pk}" if report.dialogue else "mission"
    response["Content-Disposition"] = f'attachment; filename="engagement-{scope}-{language}.pdf"'
    return response

"""HRDDP pages: the unit registry with each unit's status, a unit's file, the calendar."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bluebox.core import access, web
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.hrddp import selectors, services
from bluebox.hrddp.forms import AssessmentForm, DecisionForm, LinkForm, MitigationForm, OverrideForm
from bluebox.hrddp.models import Activity, Mitigation


@login_required
def units(request: HttpRequest) -> HttpResponse:
    if not access.missions_for(request.user, Resource.HRDDP, "view"):
        return render(request, "403.html", status=403)
    return render(
        request,
        "hrddp/units.html",
        {"rows": selectors.registry(request.user, timezone.now()), "activities": Activity.choices},
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(request.user, pk)
    now = timezone.now()
    assessments = list(selectors.assessments_for(request.user, unit.pk))
    access.audit_reads(request.user, assessments)
    return render(
        request,
        "hrddp/unit.html",
        {
            "unit": unit,
            "children": selectors.units_for(request.user).filter(parent=unit),
            "gates": [
                (label, selectors.support_gate(partner_id=unit.pk, activity=value, at=now))
                for value, label in Activity.choices
            ],
            "assessments": assessments,
            "decisions": selectors.decisions_for(request.user, unit.pk),
            "links": selectors.links_for(request.user, unit.pk),
            "overrides": selectors.overrides_for(request.user, unit.pk),
            "today": timezone.localdate(),
            "assessment_form": AssessmentForm(),
            "mitigation_form": MitigationForm(),
            "decision_form": DecisionForm(),
            "link_form": LinkForm(),
            "override_form": OverrideForm(),
            "can_override": access.can_in_scope(
                request.user,
                Resource.HRDDP,
                "override",
                mission_id=unit.mission_id,
                compartments=services.HRDDP_COMPARTMENT,
            ),
        },
    )


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    if not access.missions_for(request.user, Resource.HRDDP, "view"):
        return render(request, "403.html", status=403)
    today = timezone.localdate()
    return render(
        request,
        "hrddp/calendar.html",
        {"items": selectors.calendar(request.user, today), "today": today},
    )


@login_required
@require_POST
def assessment_new(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(request.user, pk)

    def create(cleaned: dict[str, Any]) -> Any:
        data = dict(cleaned)
        measure, owner, due_on = data.pop("measure"), data.pop("owner"), data.pop("due_on")
        mitigations = [{"measure": measure, "owner": owner, "due_on": due_on}] if measure else []
        return services.assessment_create(
            actor=request.user, partner_id=unit.pk, mitigations=mitigations, **data
        )

    return web.submit(
        request,
        AssessmentForm(request.POST),
        create,
        to=("hrddp-unit", unit.pk),
        invalid=_("Complete the assessment's steps."),
        done=_("Assessment recorded."),
    )


@login_required
@require_POST
def mitigation_new(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access.get_visible(request.user, selectors.assessments_for(request.user), pk=pk)
    return web.submit(
        request,
        MitigationForm(request.POST),
        lambda data: services.mitigation_add(
            actor=request.user, assessment_id=assessment.pk, **data
        ),
        to=("hrddp-unit", assessment.partner_id),
        invalid=_("A measure, an owner and a due date."),
        done=_("Mitigation added."),
    )


@login_required
@require_POST
def mitigation_complete(request: HttpRequest, pk: int) -> HttpResponse:
    mitigation = access.get_visible(
        request.user, Mitigation.objects.select_related("assessment"), pk=pk
    )
    return web.call_and_redirect(
        request,
        lambda: services.mitigation_complete(actor=request.user, mitigation_id=mitigation.pk),
        to=("hrddp-unit", mitigation.assessment.partner_id),
        done=_("Mitigation completed."),
    )


@login_required
@require_POST
def decision_new(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(request.user, pk)

    def record(cleaned: dict[str, Any]) -> Any:
        data = dict(cleaned)
        assessment = access.get_visible(
            request.user,
            selectors.assessments_for(request.user, unit.pk),
            pk=data.pop("assessment"),
        )
        return services.decision_record(actor=request.user, assessment_id=assessment.pk, **data)

    return web.submit(
        request,
        DecisionForm(request.POST),
        record,
        to=("hrddp-unit", unit.pk),
        invalid=_("Complete the decision."),
        done=_("Decision recorded."),
    )


@login_required
@require_POST
def link_new(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(request.user, pk)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("An incident number or a report reference."))
        return redirect("hrddp-unit", pk=unit.pk)
    data = form.cleaned_data
    try:
        if data["incident"]:
            services.unit_link_incident(
                actor=request.user,
                partner_id=unit.pk,
                incident_id=data["incident"],
                summary=data["summary"],
            )
        else:
            services.unit_link_report(
                actor=request.user,
                partner_id=unit.pk,
                reference=data["reference"],
                summary=data["summary"],
                reported_on=data["reported_on"] or timezone.localdate(),
            )
    except ServiceError as exc:
        web.flash_errors(request, exc)
    except access.NotVisible as exc:
        access.record_refusal(exc)
        messages.error(request, _("No such incident."))
    else:
        messages.success(request, _("Linked to the unit."))
    return redirect("hrddp-unit", pk=unit.pk)


@login_required
@require_POST
def override_new(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(request.user, pk)
    return web.submit(
        request,
        OverrideForm(request.POST),
        lambda data: services.support_override_grant(
            actor=request.user, partner_id=unit.pk, **data
        ),
        to=("hrddp-unit", unit.pk),
        invalid=_("An activity, a written justification and a duration."),
        done=_("Override recorded (audited)."),
    )

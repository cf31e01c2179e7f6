"""Custody pages: board with live clocks, apprehension form, detainee page, handover workflow,
evidence chain of custody. Views parse, call services and selectors, render."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bluebox.core import access, web
from bluebox.core.exceptions import ServiceError, StepUpRequired
from bluebox.core.models import User
from bluebox.core.roles import Resource
from bluebox.detention import selectors, services
from bluebox.detention.forms import (
    ApprehensionForm,
    CustodyMoveForm,
    EvidenceForm,
    HandoverForm,
    OverrideForm,
    ReasonForm,
    ReleaseForm,
    RevealForm,
    RiskAssessmentForm,
    SafeguardsFields,
    SafeguardsForm,
    TransferForm,
    TransferOfferForm,
)
from bluebox.detention.models import Apprehension, EvidenceItem, EvidenceTransfer
from bluebox.engines.custody import AmbiguousLocalTime, NonExistentLocalTime, local_to_utc
from bluebox.missions import selectors as mission_selectors


def _managed(request: HttpRequest, pk: int, action: str = "manage") -> Apprehension:
    """The apprehension if the user may act on it; 404 otherwise, like a missing record."""
    return access.get_visible(
        request.user, Apprehension.objects.select_related("mission", "site"), action=action, pk=pk
    )


@login_required
def board(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = selectors.board(request.user, now)
    closed = list(selectors.recent_closed(request.user))
    access.audit_reads(request.user, [r.apprehension for r in rows] + closed)
    return render(
        request,
        "detention/board.html",
        {
            "rows": rows,
            "closed": closed,
            "now": now,
            "notifications": selectors.notifications_for(request.user, unread_only=True)[:20],
            "pending_transfers": selectors.pending_transfers_for(request.user),
            "open_breaches": selectors.breaches_for(request.user).filter(reason=""),
            "can_record": bool(access.missions_for(request.user, Resource.DETENTION, "create")),
        },
    )


def _creatable_sites(user: Any) -> list[Any]:
    return [
        s
        for s in mission_selectors.sites_for(user).select_related("mission")
        if access.can_in_scope(
            user,
            Resource.DETENTION,
            "create",
            mission_id=s.mission_id,
            sector_id=s.sector_id,
            site_id=s.pk,
            classification=1,
        )
    ]


def clocks_change(zone: str, year: int | None = None) -> bool:
    """Does the zone change its clocks (daylight saving) in the year? Mid-month offsets."""
    tz = ZoneInfo(zone)
    year = year or timezone.now().year
    offsets = {datetime(year, m, 15, 12, tzinfo=tz).utcoffset() for m in range(1, 13)}
    return len(offsets) > 1


def _to_utc(value: datetime | None, zone: str) -> datetime | None:
    """A wall time read in the mission's zone (parsed as if UTC) as the true UTC instant."""
    if value is None:
        return None
    return local_to_utc(timezone.make_naive(value, ZoneInfo("UTC")), zone, occurrence=0)


def _safeguards(data: dict[str, Any], zone: str) -> services.Safeguards:
    """Pops the safeguard fields off a form's cleaned data (local times turned into UTC)."""
    values = {name: data.pop(name, None) for name in SafeguardsFields.base_fields}
    return services.Safeguards(
        sex=values["sex"] or "",
        age_years=values["age_years"],
        age_estimated=bool(values["age_estimated"]),
        believed_child=bool(values["believed_child"]),
        rights_read_at=_to_utc(values["rights_read_at"], zone),
        rights_language=values["rights_language"] or "",
        interpreter=values["interpreter"] or "",
        interpreter_language=values["interpreter_language"] or "",
        icrc_notified_at=_to_utc(values["icrc_notified_at"], zone),
        family_notified_at=_to_utc(values["family_notified_at"], zone),
        notification_note=values["notification_note"] or "",
    )


@login_required
def apprehension_new(request: HttpRequest) -> HttpResponse:
    sites = _creatable_sites(request.user)
    if not sites:
        return render(request, "403.html", status=403)
    zones = sorted({s.mission.timezone for s in sites})
    form = ApprehensionForm(
        request.POST or None,
        sites=sites,
        can_override=bool(access.missions_for(request.user, Resource.GUIDE_OVERRIDE, "override")),
        clocks_change=any(clocks_change(z) for z in zones),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        site_id = data.pop("site")
        site = next(s for s in sites if s.pk == site_id)
        wall = timezone.make_naive(data.pop("apprehended_at"), ZoneInfo("UTC"))
        occurrence = data.pop("occurrence", "")
        try:
            data["safeguards"] = _safeguards(data, site.mission.timezone)
            apprehended_at = local_to_utc(
                wall, site.mission.timezone, occurrence=occurrence if occurrence != "" else None
            )
            apprehension = services.apprehension_record(
                actor=request.user,
                mission=site.mission,
                site_id=site.pk,
                apprehended_at=apprehended_at,
                **data,
            )
        except NonExistentLocalTime:
            form.add_error("apprehended_at", _("This time did not exist locally (clocks jumped)."))
        except AmbiguousLocalTime:
            form.add_error("occurrence", _("This time happened twice locally: choose which."))
        except ServiceError as exc:
            form.add_error(None, exc.message)
            for field, errors in exc.field_errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(
                request,
                _("Apprehension %(pseudonym)s recorded; its custody clock is running.")
                % {"pseudonym": apprehension.pseudonym},
            )
            return redirect("apprehension-detail", pk=apprehension.pk)
    return render(
        request,
        "detention/form.html",
        {"form": form, "zones": zones},
        status=400 if form.errors else 200,
    )


def _detail_context(request: HttpRequest, apprehension: Apprehension) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    evidence = [
        (item, list(selectors.transfers_of(user, item)), selectors.evidence_problems(item))
        for item in selectors.evidence_of(user, apprehension)
    ]
    return {
        "a": apprehension,
        "clock": selectors.custody_clock(apprehension, now),
        "tz": ZoneInfo(apprehension.mission.timezone),
        "breaches": selectors.breaches_for(user, apprehension),
        "escalations": apprehension.escalations.all(),
        "assessments": selectors.assessments_of(user, apprehension),
        "evidence": evidence,
        "can_manage": access.can(user, "manage", apprehension),
        "holds_identity": services.holds_identity(user, apprehension),
        "medical_notes": services.medical_notes_of(user, apprehension),
        "reveal_form": RevealForm(),
        "safeguards_form": SafeguardsForm(),
        "move_form": CustodyMoveForm(),
        "moves": selectors.moves_of(user, apprehension),
        "reason_form": ReasonForm(),
        "evidence_form": EvidenceForm(),
        "offer_form": TransferOfferForm(),
    }


@login_required
def apprehension_detail(request: HttpRequest, pk: int) -> HttpResponse:
    apprehension = selectors.apprehension_get(request.user, pk)
    return render(request, "detention/detail.html", _detail_context(request, apprehension))


@login_required
@require_POST
def apprehension_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    apprehension = selectors.apprehension_get(request.user, pk)
    form = RevealForm(request.POST)
    context = _detail_context(request, apprehension)
    if not form.is_valid():
        context["reveal_form"] = form
        return render(request, "detention/detail.html", context, status=400)
    if not web.step_up(request, form, record=apprehension):
        context["reveal_form"] = form
        return render(request, "detention/detail.html", context, status=400)
    try:
        identity = services.detainee_reveal(
            actor=request.user, apprehension_id=pk, purpose=form.cleaned_data["purpose"]
        )
    except StepUpRequired as exc:
        access.record_refusal(exc)  # the service's rollback took its entry
        form.add_error("code", _("Type a current code (or use a passkey) to reveal."))
        context["reveal_form"] = form
        return render(request, "detention/detail.html", context, status=403)
    except ServiceError as exc:
        form.add_error("purpose", exc.message)
        context["reveal_form"] = form
        return render(request, "detention/detail.html", context, status=400)
    context["identity"] = identity
    # Not stored by any cache: SecurityHeadersMiddleware marks every signed-in answer no-store.
    return render(request, "detention/detail.html", context)


@login_required
def apprehension_handover(request: HttpRequest, pk: int) -> HttpResponse:
    apprehension = _managed(request, pk)
    if request.method == "POST":
        form = HandoverForm(request.POST)
        if form.is_valid():
            try:
                services.apprehension_hand_over(
                    actor=request.user,
                    apprehension_id=pk,
                    assessment_id=form.cleaned_data["assessment"],
                    note=form.cleaned_data["note"],
                )
            except ServiceError as exc:
                access.record_refusal(exc)  # a blocked handover is a refusal
                messages.error(request, exc.message)
                return redirect("apprehension-handover", pk=pk)
            messages.success(request, _("Handed over."))
            return redirect("apprehension-detail", pk=pk)
        messages.error(request, _("Choose an assessment."))
        return redirect("apprehension-handover", pk=pk)
    now = timezone.now()
    units = list(selectors.receiving_units(request.user, apprehension))
    assessments = [
        (a, services.handover_gate(a, now))
        for a in selectors.assessments_of(request.user, apprehension)
    ]
    return render(
        request,
        "detention/handover.html",
        {
            "a": apprehension,
            "clock": selectors.custody_clock(apprehension, now),
            "tz": ZoneInfo(apprehension.mission.timezone),
            "assessments": assessments,
            "assess_form": RiskAssessmentForm(units=units),
            "can_override": access.can(request.user, "override", apprehension),
            "override_form": OverrideForm(),
            "release_form": ReleaseForm(),
            "transfer_form": TransferForm(),
        },
    )


def _post_action(
    request: HttpRequest, pk: int, call: Callable[[], object], done: str
) -> HttpResponse:
    return web.call_and_redirect(
        request,
        call,
        done=done,
        to=("apprehension-detail", pk),
        failed_to=("apprehension-handover", pk),
    )


@login_required
@require_POST
def apprehension_assess(request: HttpRequest, pk: int) -> HttpResponse:
    apprehension = _managed(request, pk)
    form = RiskAssessmentForm(
        request.POST, units=list(selectors.receiving_units(request.user, apprehension))
    )
    if not form.is_valid():
        messages.error(request, _("Complete every risk and the grounds."))
        return redirect("apprehension-handover", pk=pk)
    data = form.cleaned_data
    return web.call_and_redirect(
        request,
        lambda: services.risk_assess(
            actor=request.user,
            apprehension_id=pk,
            partner_id=data["receiving_partner"],
            risks={k: data[f"risk_{k}"] for k in services.RISK_FIELDS},
            rationale=data["rationale"],
        ),
        to=("apprehension-handover", pk),
        done=_("Risk assessment recorded."),
    )


@login_required
@require_POST
def apprehension_override(request: HttpRequest, pk: int) -> HttpResponse:
    apprehension = _managed(request, pk, action="override")
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A written justification is required."))
        return redirect("apprehension-handover", pk=pk)
    assessment = access.get_visible(
        request.user, apprehension.assessments.all(), pk=form.cleaned_data["assessment"]
    )
    return web.call_and_redirect(
        request,
        lambda: services.handover_override(
            actor=request.user,
            assessment_id=assessment.pk,
            justification=form.cleaned_data["justification"],
        ),
        to=("apprehension-handover", pk),
        done=_("Override recorded. The handover may now proceed."),
    )


@login_required
@require_POST
def apprehension_release(request: HttpRequest, pk: int) -> HttpResponse:
    _managed(request, pk)
    form = ReleaseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _post_action(
        request,
        pk,
        lambda: services.apprehension_release(
            actor=request.user, apprehension_id=pk, reason=reason
        ),
        _("Released."),
    )


@login_required
@require_POST
def apprehension_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    _managed(request, pk)
    form = TransferForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {"destination": "", "reason": ""}
    return _post_action(
        request,
        pk,
        lambda: services.apprehension_transfer(
            actor=request.user,
            apprehension_id=pk,
            destination=data["destination"],
            reason=data["reason"],
        ),
        _("Transferred."),
    )


@login_required
@require_POST
def evidence_register(request: HttpRequest, pk: int) -> HttpResponse:
    _managed(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Give the evidence a kind and a label."))
        return redirect("apprehension-detail", pk=pk)
    upload = form.cleaned_data.get("file")
    return web.call_and_redirect(
        request,
        lambda: services.evidence_register(
            actor=request.user,
            apprehension_id=pk,
            kind=form.cleaned_data["kind"],
            label=form.cleaned_data["label"],
            description=form.cleaned_data["description"],
            filename=upload.name if upload else "",
            content=upload.read() if upload else None,
        ),
        to=("apprehension-detail", pk),
        done=_("Evidence registered."),
    )


@login_required
@require_POST
def evidence_offer(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.get_visible(request.user, EvidenceItem.objects.all(), pk=pk)
    form = TransferOfferForm(request.POST)
    if form.is_valid():
        receiver = User.objects.filter(
            username=form.cleaned_data["receiver"], is_active=True
        ).first()
        try:
            services.evidence_transfer_offer(
                actor=request.user,
                item_id=item.pk,
                receiver=receiver,
                purpose=form.cleaned_data["purpose"],
            )
        except ServiceError as exc:
            web.flash_errors(request, exc)
        else:
            messages.success(request, _("Transfer offered; it completes when the receiver signs."))
    else:
        messages.error(request, _("Name the receiver and the purpose."))
    return redirect("apprehension-detail", pk=item.apprehension_id)


@login_required
@require_POST
def evidence_accept(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = access.get_visible(
        request.user, EvidenceTransfer.objects.select_related("item"), pk=pk
    )
    return web.call_and_redirect(
        request,
        lambda: services.evidence_transfer_accept(actor=request.user, transfer_id=transfer.pk),
        to=("apprehension-detail", transfer.item.apprehension_id),
        done=_("You now hold this evidence."),
    )


@login_required
@require_POST
def breach_explain(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    breach = selectors.breach_get(request.user, pk)
    return web.call_and_redirect(
        request,
        lambda: services.breach_explain(
            actor=request.user,
            breach_id=breach.pk,
            reason=form.cleaned_data["reason"] if form.is_valid() else "",
        ),
        to=("apprehension-detail", breach.apprehension_id),
        done=_("Reason recorded."),
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    services.notification_read(actor=request.user, notification_id=pk)
    return redirect("custody-board")


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@login_required
@require_POST
def apprehension_safeguards(request: HttpRequest, pk: int) -> HttpResponse:
    """Rights read, interpreter and notifications recorded after the apprehension."""
    apprehension = _managed(request, pk)
    form = SafeguardsForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("apprehension-detail", pk=pk)
    try:
        safeguards = _safeguards(dict(form.cleaned_data), apprehension.mission.timezone)
    except (NonExistentLocalTime, AmbiguousLocalTime):
        messages.error(request, _("A time given did not exist locally (clocks jumped)."))
        return redirect("apprehension-detail", pk=pk)
    return web.call_and_redirect(
        request,
        lambda: services.apprehension_safeguards_update(
            actor=request.user, apprehension_id=pk, safeguards=safeguards
        ),
        done=_("Safeguards recorded."),
        to=("apprehension-detail", pk),
    )


@login_required
@require_POST
def apprehension_move(request: HttpRequest, pk: int) -> HttpResponse:
    """A move of the detainee to another place of custody."""
    apprehension = _managed(request, pk)
    form = CustodyMoveForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("apprehension-detail", pk=pk)
    data = form.cleaned_data
    try:
        moved_at = _to_utc(data["moved_at"], apprehension.mission.timezone)
    except (NonExistentLocalTime, AmbiguousLocalTime):
        messages.error(request, _("This time did not exist locally (clocks jumped)."))
        return redirect("apprehension-detail", pk=pk)
    assert moved_at is not None  # noqa: S101 - the field is required
    return web.call_and_redirect(
        request,
        lambda: services.custody_move_record(
            actor=request.user,
            apprehension_id=pk,
            moved_at=moved_at,
            to_place=data["to_place"],
            reason=data["reason"],
        ),
        done=_("Move recorded."),
        to=("apprehension-detail", pk),
    )

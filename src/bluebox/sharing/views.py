"""Sharing pages: agreements (keep, propose, approve, revoke), what is shared with me (extracts,
map, downloads), and who saw a record. Parse, call, render: the decisions are in core.access."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bluebox.core import access, web
from bluebox.core.bounds import query_id
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.core.sharing import TLP, TLP_ORDER, DisclosureReceipt, tlp_label
from bluebox.core.spreadsheet import safe_row
from bluebox.incidents.models import IncidentType, PerpetratorCategory
from bluebox.missions import selectors as mission_selectors
from bluebox.sharing import huridocs, selectors, services
from bluebox.sharing.forms import AgreementForm, DecisionForm, RevokeForm

RESOURCE = Resource.SHARING
#: At most this many records in one download.
MAX_EXPORT = 10_000


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    keeps = bool(access.missions_for(user, RESOURCE, "view"))
    received = selectors.received_for(user)
    if not keeps and not received and not selectors.may_receive(user):
        return render(request, "403.html", status=403)
    now = timezone.now()
    return render(
        request,
        "sharing/home.html",
        {
            "keeps": keeps,
            "agreements": list(selectors.agreements_for(user)[:200]) if keeps else [],
            "can_propose": bool(selectors.keeper_missions(user, "propose")),
            "awaiting": list(selectors.awaiting_approval(user)) if keeps else [],
            "received": [
                {
                    "agreement": a,
                    "count": selectors.shared_count(user, a),
                    "expires_soon": a in selectors.expiring(user, now),
                }
                for a in received
            ],
            "expiring": selectors.expiring(user, now),
            "now": now,
        },
    )


def _form(request: HttpRequest, data: Any = None) -> AgreementForm:
    choices = selectors.proposal_choices(request.user)
    return AgreementForm(
        data,
        missions=choices["missions"],
        recipients=choices["recipients"],
        partners=choices["partners"],
    )


@login_required
def agreement_new(request: HttpRequest) -> HttpResponse:
    if not selectors.keeper_missions(request.user, "propose"):
        return render(request, "403.html", status=403)
    form = _form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            agreement = services.agreement_propose(
                actor=request.user,
                mission_id=data.pop("mission"),
                partner_id=data.pop("partner"),
                recipient_ids=data.pop("recipients"),
                **data,
            )
        except ServiceError as exc:
            web.flash_errors(request, exc)
            for name, errors in exc.field_errors.items():
                if name in form.fields:
                    for error in errors:
                        form.add_error(name, error)
        else:
            messages.success(request, _("Agreement proposed: a commander approves it."))
            return redirect("sharing-agreement", agreement.pk)
    return render(request, "sharing/agreement_form.html", {"form": form})


@login_required
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_for(request.user, pk)
    return render(
        request,
        "sharing/agreement.html",
        {
            "agreement": agreement,
            "recipients": list(agreement.recipients.order_by("username")),
            "covered": selectors.covered_count(request.user, agreement),
            "live": agreement.is_live(timezone.now()),
            "can_decide": access.can_in_scope(
                request.user, RESOURCE, "approve", mission_id=agreement.mission_id
            ),
            "decision_form": DecisionForm(),
            "revoke_form": RevokeForm(),
            "disclosures": DisclosureReceipt.objects.filter(agreement=agreement).count(),
            "type_labels": [IncidentType(t).label for t in agreement.incident_types],
            "perpetrator_labels": [
                PerpetratorCategory(p).label for p in agreement.perpetrator_categories
            ],
        },
    )


@login_required
@require_POST
def agreement_approve(request: HttpRequest, pk: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return web.call_and_redirect(
        request,
        lambda: services.agreement_approve(actor=request.user, agreement_id=pk, note=note),
        to=("sharing-agreement", pk),
        done=_("Agreement approved: it shares from its start until its expiry."),
    )


@login_required
@require_POST
def agreement_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return web.call_and_redirect(
        request,
        lambda: services.agreement_refuse(actor=request.user, agreement_id=pk, note=note),
        to=("sharing-agreement", pk),
        done=_("Agreement refused."),
    )


@login_required
@require_POST
def agreement_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    form = RevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return web.call_and_redirect(
        request,
        lambda: services.agreement_revoke(actor=request.user, agreement_id=pk, reason=reason),
        to=("sharing-agreement", pk),
        done=_("Agreement revoked: nothing more is shared under it."),
    )


def _strictest(items: list[dict[str, Any]]) -> str:
    markings = [i["marking"]["tlp"].removeprefix("TLP:").lower() for i in items]
    return tlp_label(max(markings, key=lambda t: TLP_ORDER.index(TLP(t)))) if markings else ""


@login_required
def extract_list(request: HttpRequest) -> HttpResponse:
    received = selectors.received_for(request.user)
    if not received and not selectors.may_receive(request.user):
        return render(request, "403.html", status=403)
    agreement_id = query_id(request.GET, "agreement")
    page = Paginator(selectors.shared_incidents(request.user, agreement_id), 25).get_page(
        request.GET.get("page")
    )
    items = selectors.extracts_disclosed(request.user, list(page.object_list), "list")
    points = [
        {
            "id": item["id"],
            "lat": item["event"]["location"]["latitude"],
            "lon": item["event"]["location"]["longitude"],
            "title": item["acts"][0]["label"] if "acts" in item else _("Shared incident"),
            "date": item["event"].get("date", ""),
            "url": reverse("sharing-extract", args=[item["id"]]),
        }
        for item in items
        if "location" in item["event"]
    ]
    missions = {a.mission_id for a in received}
    sites = [s for s in mission_selectors.sites_for(request.user) if s.mission_id in missions]
    return render(
        request,
        "sharing/extracts.html",
        {
            "items": items,
            "page": page,
            "received": received,
            "agreement_id": agreement_id,
            "marking": _strictest(items),
            "map_data": {
                "tile_url": settings.MAP_TILE_URL,
                "sites": [
                    {
                        "name": s.name,
                        "kind": s.get_kind_display(),
                        "lat": s.latitude,
                        "lon": s.longitude,
                    }
                    for s in sites
                ],
                "incidents": points,
            },
        },
    )


@login_required
def extract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.extract_for(request.user, pk, "detail")
    return render(request, "sharing/extract.html", {"item": item, "marking": _strictest([item])})


@login_required
def extract_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "json"):
        raise Http404
    if not selectors.received_for(request.user) and not selectors.may_receive(request.user):
        return render(request, "403.html", status=403)
    agreement_id = query_id(request.GET, "agreement")
    incidents = list(selectors.shared_incidents(request.user, agreement_id)[:MAX_EXPORT])
    items = selectors.extracts_disclosed(request.user, incidents, "download")
    marking = _strictest(items)
    stamp = timezone.now().strftime("%Y%m%d")
    if fmt == "json":
        body = json.dumps({"marking": marking, "records": items}, ensure_ascii=False, indent=1)
        response = HttpResponse(body, content_type="application/json")
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([name for name, _tag in huridocs.CSV_COLUMNS])
        writer.writerow([tag for _name, tag in huridocs.CSV_COLUMNS])
        for item in items:
            writer.writerow(safe_row(huridocs.csv_row(item)))
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="shared-incidents-{stamp}.{fmt}"'
    if marking:
        response["X-TLP"] = marking
    return response


@login_required
def disclosures(request: HttpRequest, pk: int) -> HttpResponse:
    incident, rows = selectors.disclosures_of(request.user, pk)
    return render(request, "sharing/disclosures.html", {"incident": incident, "rows": rows})


@login_required
def assessments(request: HttpRequest) -> HttpResponse:
    """HRDDP risk assessments shared with the person, redacted; each listing is a disclosure."""
    if not selectors.received_for(request.user) and not selectors.may_receive(request.user):
        return render(request, "403.html", status=403)
    return render(
        request,
        "sharing/assessments.html",
        {"items": selectors.shared_assessments(request.user)},
    )

"""Field guide pages: the answer ("may I act here, and how?"), the versions of the rules, a
version with what it changes, its approval."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bluebox.core import access, web
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.engines.guide import Check, text_in
from bluebox.guide import selectors, services
from bluebox.guide.adapter import MAX_DOCUMENT_BYTES, read_document, ruleset_of
from bluebox.guide.explain import citation, needs
from bluebox.guide.forms import AskForm, DecisionForm, ProposeForm
from bluebox.guide.models import Action, VersionStatus
from bluebox.missions.models import FieldSite, Mission


def _lang() -> str:
    return (translation.get_language() or "en")[:2]


def _sites(user: Any) -> list[FieldSite]:
    missions = access.missions_for(user, Resource.GUIDE, "view")
    return list(
        access.visible(user, FieldSite.objects.select_related("mission"))
        .filter(mission_id__in=missions)
        .order_by("mission_id", "name")
    )


@login_required
def answer_page(request: HttpRequest) -> HttpResponse:
    sites = _sites(request.user)
    if not sites:
        return render(request, "403.html", status=403)
    asked = "site" in request.GET
    form = AskForm(request.GET if asked else None, sites=sites)
    result = None
    site = None
    if asked and form.is_valid():
        data = form.cleaned_data
        site = next((s for s in sites if s.pk == data["site"]), None)
        on = data.get("on") or timezone.localdate()
        try:
            result = selectors.answer_for(
                request.user,
                site_id=data["site"],
                action=data["action"],
                on=on,
                lang=_lang(),
                **form.facts(),
            )
        except access.NotVisible as exc:
            access.record_refusal(exc)
            form.add_error("site", _("Unknown field site."))
    return render(
        request,
        "guide/answer.html",
        {"form": form, "result": result, "site": site, "asked": asked},
        status=400 if asked and form.errors else 200,
    )


@login_required
def versions(request: HttpRequest) -> HttpResponse:
    if not access.missions_for(request.user, Resource.GUIDE, "view"):
        return render(request, "403.html", status=403)
    proposers = access.missions_for(request.user, Resource.GUIDE, "propose")
    return render(
        request,
        "guide/versions.html",
        {
            "versions": selectors.versions_for(request.user),
            "today": timezone.localdate(),
            "propose_form": ProposeForm(
                missions=list(Mission.objects.filter(pk__in=proposers).order_by("name"))
            )
            if proposers
            else None,
        },
    )


def _rule_rows(version: Any, lang: str) -> list[dict[str, Any]]:
    rules = ruleset_of(version)
    rows = []
    for rule in rules.rules:
        rows.append(
            {
                "key": rule.key,
                "actions": [str(Action(a).label) for a in rule.actions],
                "allow": rule.effect == "allow",
                "title": text_in(rule.title, lang),
                "when": [needs(Check(k, v, None, False)) for k, v in rule.when.items()],
                "conditions": [text_in(t, lang) for t in rule.conditions],
                "steps": [text_in(t, lang) for t in rule.steps],
                "limits": [text_in(t, lang) for t in rule.limits],
                "cite": [citation(rules, c, lang) for c in rule.cite],
                "custody": rule.custody,
            }
        )
    return rows


@login_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get(request.user, pk)
    lang = _lang()
    before, changes = selectors.changes_of(version)
    rules = ruleset_of(version)
    return render(
        request,
        "guide/version.html",
        {
            "v": version,
            "rules": _rule_rows(version, lang),
            "documents": [
                {"key": d.key, "title": text_in(d.title, lang), "kind": d.kind, "issued": d.issued}
                for d in rules.documents.values()
            ],
            "before": before,
            "changes": changes,
            "pending": version.status == VersionStatus.PROPOSED,
            "can_decide": access.can(request.user, "approve", version)
            and version.proposed_by_id != request.user.pk,
            "form": DecisionForm(),
        },
    )


@login_required
@require_POST
def version_approve(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get(request.user, pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return web.call_and_redirect(
        request,
        lambda: services.rules_approve(actor=request.user, version_id=version.pk, note=note),
        to=("guide-version", version.pk),
        done=_("Version approved: it is in force from its first day."),
    )


@login_required
@require_POST
def version_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get(request.user, pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return web.call_and_redirect(
        request,
        lambda: services.rules_refuse(actor=request.user, version_id=version.pk, note=note),
        to=("guide-version", version.pk),
        done=_("Version refused."),
    )


@login_required
@require_POST
def version_propose(request: HttpRequest) -> HttpResponse:
    proposers = access.missions_for(request.user, Resource.GUIDE, "propose")
    if not proposers:
        return render(request, "403.html", status=403)
    missions = list(Mission.objects.filter(pk__in=proposers))
    form = ProposeForm(request.POST, request.FILES, missions=missions)
    if not form.is_valid():
        web.flash_errors(
            request, ServiceError(_("Choose a mission and a rule document."), field_errors={})
        )
        return redirect("guide-versions")
    mission = next(m for m in missions if m.pk == form.cleaned_data["mission"])
    upload = form.cleaned_data["document"]

    def call() -> Any:
        return services.rules_propose(
            actor=request.user,
            mission=mission,
            document=read_document(upload.read(MAX_DOCUMENT_BYTES + 1)),
            note=form.cleaned_data["note"],
        )

    return web.call_and_redirect(
        request,
        call,
        to=lambda v: ("guide-version", v.pk),
        failed_to=("guide-versions",),
        done=_("Version stored; a commander other than you approves it."),
    )

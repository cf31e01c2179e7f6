"""Assessment pages: survey forms (upload, versions, assignment), submissions, collector phones."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from bluebox.assessment import (
    adapter,
    charts,
    imports,
    pulls,
    selectors,
    services,
    submission_files,
)
from bluebox.assessment.forms import (
    AssignForm,
    CollectorForm,
    ImportForm,
    MediaForm,
    SourceForm,
    StatusForm,
    UploadForm,
)
from bluebox.assessment.models import CollectorCredential, FormVersion, RemoteSource
from bluebox.core import access, web
from bluebox.core.exceptions import ServiceError
from bluebox.core.middleware import passive
from bluebox.core.roles import Resource
from bluebox.missions.models import FieldSite, Mission, Sector

MAX_UPLOAD = 5 * 1024 * 1024


def label_in(labels: dict[str, str], language: str | None = None) -> str:
    """A form label in the reader's language when the form has it ("Français (fr)" for fr)."""
    if not labels:
        return ""
    code = (language or get_language() or "en").split("-")[0]
    for name, text in labels.items():
        if name.endswith(f"({code})") or name.lower().startswith(code):
            return text
    return next(iter(labels.values()))


def _managed_missions(user: Any) -> list[tuple[int, str]]:
    ids = [
        m
        for m in access.missions_for(user, Resource.SURVEY, "manage")
        if access.can_in_scope(user, Resource.SURVEY, "manage", mission_id=m)
    ]
    return [(m.pk, m.name) for m in Mission.objects.filter(pk__in=ids).order_by("name")]


def _places(form_mission_id: int) -> list[tuple[str, str]]:
    places = [("mission", _("The whole mission"))]
    for sector in Sector.objects.filter(mission_id=form_mission_id).order_by("name"):
        places.append((f"sector:{sector.pk}", _("Sector: %(name)s") % {"name": sector.name}))
    for site in FieldSite.objects.filter(mission_id=form_mission_id).order_by("name"):
        places.append((f"site:{site.pk}", _("Site: %(name)s") % {"name": site.name}))
    return places


@login_required
def forms_page(request: HttpRequest) -> HttpResponse:
    if not access.missions_for(request.user, Resource.SURVEY, "view"):
        return render(request, "403.html", status=403)
    missions = _managed_missions(request.user)
    return render(
        request,
        "assessment/forms.html",
        {
            "forms": selectors.forms_for(request.user),
            "upload_form": UploadForm(missions=missions) if missions else None,
            "can_indicators": bool(access.missions_for(request.user, Resource.INDICATOR, "view")),
            "can_collect": bool(
                access.missions_for(request.user, Resource.SURVEY_RESPONSE, "create")
            ),
        },
    )


@login_required
@require_POST
def form_upload(request: HttpRequest) -> HttpResponse:
    missions = _managed_missions(request.user)
    if not missions:
        raise access.refuse(
            access.NotPermitted("not permitted to manage surveys"),
            actor=request.user,
            action="manage",
            resource=Resource.SURVEY,
        )
    form = UploadForm(request.POST, request.FILES, missions=missions)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{field}: {error}")
        return redirect("assessment-forms")
    upload = form.cleaned_data["xlsform"]
    if upload.size > MAX_UPLOAD:
        messages.error(request, _("The XLSForm is larger than 5 MB."))
        return redirect("assessment-forms")
    content = upload.read()
    try:
        version = services.form_upload(
            actor=request.user,
            mission_id=form.cleaned_data["mission"],
            content=content,
            filename=upload.name,
            classification=form.cleaned_data["classification"],
        )
    except ServiceError as exc:
        messages.error(request, _("The XLSForm was refused."))
        for problem in exc.field_errors.get("xlsform", [exc.message]):
            messages.error(request, problem)
        return redirect("assessment-forms")
    messages.success(
        request, _("Version %(v)s of %(f)s stored.") % {"v": version.version, "f": version.form}
    )
    return redirect("assessment-form", pk=version.form_id)


def _questions(version: FormVersion | None) -> list[dict[str, Any]]:
    if version is None:
        return []
    return [
        {
            "path": q["path"],
            "type": q["type"],
            "label": label_in(q.get("label", {})),
            "choices": [label_in(c.get("label", {})) or c["name"] for c in q.get("choices", [])],
        }
        for q in version.questions
    ]


@login_required
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    form = selectors.form_get(request.user, pk)
    versions = list(selectors.versions_of(request.user, form))
    current = versions[0] if versions else None
    can_manage = selectors.can_manage(request.user, form)
    submissions = selectors.submissions_for(request.user, form=form)
    latest = list(submissions[:50])
    access.audit_reads(request.user, latest)
    source = selectors.source_of(request.user, form)
    return render(
        request,
        "assessment/form.html",
        {
            "form": form,
            "versions": versions,
            "current": current,
            "questions": _questions(current),
            "media": list(current.media.all()) if current else [],
            "assignments": selectors.assignments_of(request.user, form),
            "can_manage": can_manage,
            "assign_form": AssignForm(places=_places(form.mission_id)) if can_manage else None,
            "import_form": ImportForm() if can_manage else None,
            "source": source,
            "source_form": _source_form(source) if can_manage else None,
            "pulls": selectors.pulls_of(request.user, form),
            "media_form": MediaForm()
            if can_manage and current and current.media_expected
            else None,
            "submission_count": submissions.count(),
            "submissions": latest,
            "server_url": request.build_absolute_uri(f"/openrosa/{form.mission.code}"),
        },
    )


@login_required
@require_POST
def form_assign(request: HttpRequest, pk: int) -> HttpResponse:
    form = selectors.form_get(request.user, pk)
    assign = AssignForm(request.POST, places=_places(form.mission_id))
    if not assign.is_valid():
        for field, errors in assign.errors.items():
            messages.error(request, f"{field}: {' '.join(str(e) for e in errors)}")
        return redirect("assessment-form", pk=form.pk)
    place = assign.cleaned_data["place"]
    kind, _sep, ident = place.partition(":")
    return web.call_and_redirect(
        request,
        lambda: services.form_assign(
            actor=request.user,
            form_pk=form.pk,
            opens_on=assign.cleaned_data["opens_on"],
            closes_on=assign.cleaned_data["closes_on"],
            sector_id=int(ident) if kind == "sector" else None,
            site_id=int(ident) if kind == "site" else None,
            round_label=assign.cleaned_data["round_label"],
        ),
        to=("assessment-form", form.pk),
        done=_("Assigned."),
    )


@login_required
@require_POST
def form_status(request: HttpRequest, pk: int) -> HttpResponse:
    form = selectors.form_get(request.user, pk)
    status = StatusForm(request.POST)
    if not status.is_valid():
        messages.error(request, _("Choose open or closed."))
        return redirect("assessment-form", pk=form.pk)
    return web.call_and_redirect(
        request,
        lambda: services.form_set_status(
            actor=request.user, form_pk=form.pk, status=status.cleaned_data["status"]
        ),
        to=("assessment-form", form.pk),
        done=_("Status changed."),
    )


@login_required
@require_POST
def media_add(request: HttpRequest, pk: int) -> HttpResponse:
    version = access.get_visible(request.user, FormVersion.objects.all(), pk=pk)
    media = MediaForm(request.POST, request.FILES)
    if not media.is_valid() or media.cleaned_data["file"].size > services.MAX_ATTACHMENT_BYTES:
        messages.error(request, _("Choose a media file of at most 10 MB."))
        return redirect("assessment-form", pk=version.form_id)
    upload = media.cleaned_data["file"]
    return web.call_and_redirect(
        request,
        lambda: services.form_media_add(
            actor=request.user,
            version_id=version.pk,
            filename=upload.name,
            content=upload.read(),
            content_type=upload.content_type or "",
        ),
        to=("assessment-form", version.form_id),
        done=_("Media file stored."),
    )


@login_required
@require_POST
def submissions_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Import an export of KoBoToolbox or ODK Central; the report shows every bad row."""
    form = selectors.form_get(request.user, pk)
    upload_form = ImportForm(request.POST, request.FILES)
    context: dict[str, Any] = {"form": form, "report": None, "refused": ""}
    if not upload_form.is_valid():
        context["refused"] = _("Choose the export file.")
    elif upload_form.cleaned_data["file"].size > submission_files.MAX_FILE_BYTES:
        context["refused"] = _("The file is larger than 20 MB: split the export.")
    else:
        upload = upload_form.cleaned_data["file"]
        try:
            context["report"] = imports.submissions_import(
                actor=request.user, form_pk=form.pk, content=upload.read(), filename=upload.name
            )
        except ServiceError as exc:
            context["refused"] = exc.message
    report = context["report"]
    status = 200 if report is not None and report.ok else 400
    return render(request, "assessment/import_result.html", context, status=status)


@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = selectors.submission_get(request.user, pk)
    access.audit_reads(request.user, [submission])
    labels = {q["path"]: label_in(q.get("label", {})) for q in submission.version.questions}
    return render(
        request,
        "assessment/submission.html",
        {
            "submission": submission,
            "answers": [(labels.get(k, k), v) for k, v in submission.answers.items()],
            "attachments": submission.attachments.order_by("filename"),
        },
    )


@login_required
def collector_page(request: HttpRequest) -> HttpResponse:
    missions = access.missions_for(request.user, Resource.SURVEY_RESPONSE, "create")
    if not missions:
        return render(request, "403.html", status=403)
    secret = ""
    form = CollectorForm()
    if request.method == "POST":
        form = CollectorForm(request.POST)
        if form.is_valid():
            try:
                _cred, secret = services.collector_credential_create(
                    actor=request.user, name=form.cleaned_data["name"]
                )
            except ServiceError as exc:
                web.flash_errors(request, exc)
    return render(
        request,
        "assessment/collect.html",
        {
            "form": form,
            "secret": secret,
            "credentials": CollectorCredential.objects.filter(user_id=int(request.user.pk or 0)),
            "server_urls": [
                request.build_absolute_uri(f"/openrosa/{m.code}")
                for m in Mission.objects.filter(pk__in=missions).order_by("code")
            ],
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def collector_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    return web.call_and_redirect(
        request,
        lambda: services.collector_credential_revoke(actor=request.user, credential_id=pk),
        to="assessment-collect",
        done=_("Revoked: that phone can no longer send."),
    )


def _choice_questions(version: FormVersion | None) -> list[dict[str, Any]]:
    return [
        q for q in _questions_raw(version) if q["type"] in ("select one", "select all that apply")
    ]


def _questions_raw(version: FormVersion | None) -> list[dict[str, Any]]:
    return list(version.questions) if version is not None else []


def _domain_label(domain: str, questions: list[dict[str, Any]]) -> str:
    fixed = {
        "sex": _("Sex"),
        "age_band": _("Age band"),
        "site": _("Field site"),
        "round": _("Round"),
    }
    if domain in fixed:
        return fixed[domain]
    found = next((q for q in questions if q["name"] == domain), None)
    return label_in(found.get("label", {})) if found else domain


@login_required
def form_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    """A weighted proportion with its 95 % interval, by domain and by round."""
    form = selectors.form_get(request.user, pk)
    version = form.current_version
    questions = _choice_questions(version)
    if not questions:
        return render(request, "assessment/analysis.html", {"form": form, "analysis": None})
    names = [q["name"] for q in questions]
    question = request.GET.get("question", "")
    if question not in names:
        question = names[0]
    chosen = next(q for q in questions if q["name"] == question)
    values = [c["name"] for c in chosen["choices"]]
    value = request.GET.get("value", "")
    if value not in values:
        value = values[0] if values else ""
    domains = [*adapter.FIXED_DOMAINS, *(n for n in names if n not in ("sex", question))]
    by = request.GET.get("by", "sex")
    if by not in domains:
        by = "sex"
    analysis = adapter.analyse(
        selectors.submissions_for(request.user, form=form), question=question, value=value, by=by
    )
    value_label = next(
        (label_in(c.get("label", {})) for c in chosen["choices"] if c["name"] == value), value
    )
    title = f"{label_in(chosen.get('label', {}))} — {value_label}"
    return render(
        request,
        "assessment/analysis.html",
        {
            "form": form,
            "analysis": analysis,
            "title": title,
            "chart": charts.trend_svg(analysis.trend, title=title),
            "questions": [(q["name"], label_in(q.get("label", {}))) for q in questions],
            "values": [
                (c["name"], label_in(c.get("label", {})) or c["name"]) for c in chosen["choices"]
            ],
            "domains": [(d, _domain_label(d, questions)) for d in domains],
            "question": question,
            "value": value,
            "by": by,
            "min_respondents": adapter.DEFAULT_MIN_RESPONDENTS,
        },
    )


# --- pulls from KoBoToolbox and ODK Central -----------------------------------------------------


def _source_form(source: RemoteSource | None) -> SourceForm:
    if source is None:
        return SourceForm()
    return SourceForm(
        initial={
            "kind": source.kind,
            "base_url": source.base_url,
            "asset_uid": source.asset_uid,
            "project_id": source.project_id,
            "xml_form_id": source.xml_form_id,
            "username": source.username,
        }
    )


@sensitive_post_parameters("credential")  # masked in error reports and their logs
@login_required
@require_POST
def form_source(request: HttpRequest, pk: int) -> HttpResponse:
    """Link the form to the server it is collected on (or change the link)."""
    form = selectors.form_get(request.user, pk)
    return web.submit(
        request,
        SourceForm(request.POST),
        lambda data: pulls.source_link(
            actor=request.user,
            form_pk=form.pk,
            kind=data["kind"],
            base_url=data["base_url"],
            asset_uid=data["asset_uid"],
            project_id=data["project_id"],
            xml_form_id=data["xml_form_id"],
            username=data["username"],
            credential=data["credential"],
        ),
        to=("assessment-form", form.pk),
        invalid=_("Give the server, its address and the form's place on it."),
        done=_("The form is linked to its server."),
    )


@login_required
@require_POST
def form_source_remove(request: HttpRequest, pk: int) -> HttpResponse:
    form = selectors.form_get(request.user, pk)
    return web.call_and_redirect(
        request,
        lambda: pulls.source_unlink(actor=request.user, form_pk=form.pk),
        to=("assessment-form", form.pk),
        done=_("The link to the server and its credential were removed."),
    )


@login_required
@require_POST
def form_pull(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a pull of the form's new submissions; its page shows how it goes."""
    form = selectors.form_get(request.user, pk)
    try:
        job = pulls.pull_start(actor=request.user, form_pk=form.pk)
    except ServiceError as exc:
        web.flash_errors(request, exc)
        return redirect("assessment-form", pk=form.pk)
    return redirect("assessment-pull", pk=job.pk)


def _pull_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    job = selectors.pull_get(request.user, pk)
    return {"job": job, "percent": selectors.pull_percent(job)}


@passive  # watching a job: the page reloads itself when it ends
@never_cache
@login_required
def pull_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "assessment/pull.html", _pull_context(request, pk))


@passive
@never_cache
@login_required
def pull_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the pull's page polls; reloads the page once the pull has ended."""
    context = _pull_context(request, pk)
    response = render(request, "assessment/_pull_progress.html", context)
    if not context["job"].is_active:
        response["HX-Refresh"] = "true"
    return response

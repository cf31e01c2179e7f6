"""Access matrix rows for assessment endpoints (see bluebox.testing.matrix).

The OpenRosa routes authenticate with HTTP Basic over TLS only: the matrix's signed-in session
over plain HTTP is refused there (403, before any credential is read). Their role × endpoint
table with Basic credentials is ``assessment/tests/test_openrosa_access.py``.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from bluebox.assessment import pulls, services
from bluebox.assessment.tests.factories import (
    central_csv,
    collected_form,
    instance_xml,
    xlsform,
)
from bluebox.testing.matrix import Endpoint, allowed, everyone

VIEWERS = {"commissioner", "reporter_at_a", "reporter_at_b", "analyst", "east_analyst", "planner"}
# The pages that list what one may use: a commander of another mission uses them for theirs.
PAGE_USERS = VIEWERS | {"other_commander"}
MANAGERS = {"commissioner", "analyst"}
COLLECTORS = {"commissioner", "reporter_at_a", "reporter_at_b", "analyst", "east_analyst"}
# Who reads a response collected at site A (sector East).
READERS_AT_A = {"commissioner", "analyst", "east_analyst", "planner"}


def _form(w: Any) -> None:
    w.survey = collected_form(w.analyst, w.mission)


def _submission(w: Any) -> None:
    _form(w)
    w.response = services.submission_receive(
        actor=w.reporter_at_a, mission=w.mission, xml=instance_xml()
    ).submission


def _credential(w: Any) -> None:
    w.credential, _secret = services.collector_credential_create(
        actor=w.reporter_at_a, name="Phone 1"
    )


def _source(w: Any) -> None:
    _form(w)
    pulls.source_link(
        actor=w.analyst,
        form_pk=w.survey.form_id,
        kind="kobo",
        base_url="https://kobo.example",
        asset_uid="aMatrixAsset",
        credential="matrix-token",
    )


def _pull(w: Any) -> None:
    _source(w)
    w.pull = pulls.pull_start(actor=w.analyst, form_pk=w.survey.form_id)


INDICATOR_READERS = {"commissioner", "analyst", "east_analyst", "planner"}


def _entered_indicator(w: Any) -> None:
    w.indicator = services.indicator_define(
        actor=w.analyst,
        mission_id=w.mission.pk,
        code="vetted",
        name="Vetted officers",
        definition="Host-state officers vetted and trained.",
        unit="count",
        source="entered",
        owner="Capacity building",
    )


def _manage(yes: int) -> Any:
    return lambda who: yes if who in MANAGERS else (403 if who in VIEWERS else 404)


def _upload_body(w: Any) -> dict[str, Any]:
    return {
        "mission": w.mission.pk,
        "xlsform": SimpleUploadedFile("form.xlsx", xlsform(form_id="matrix_form")),
    }


def _export_body(w: Any) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("poc_perception.csv", central_csv(), "text/csv")}


A = "api/v1/assessment/"
F = "assessment/forms/<int:pk>/"
V = "openrosa/<slug:mission>/forms/<str:form_id>/<str:version>/"


def _openrosa(route: str, url: Any, method: str = "get") -> Endpoint:
    return Endpoint(route, method, url, everyone(403), api=False, setup=_form)


def _form_url(w: Any, tail: str) -> str:
    return f"/openrosa/minutest/forms/poc_perception/{w.survey.version}/{tail}"


ENDPOINTS = [
    Endpoint(f"{A}forms/", "get", lambda w: f"/{A}forms/", everyone(200), setup=_form),
    Endpoint(
        f"{A}forms/upload/",
        "post",
        lambda w: f"/{A}forms/upload/",
        allowed(MANAGERS, 201, 403),
        body=_upload_body,
        anonymous=401,
    ),
    Endpoint(
        f"{A}forms/<int:pk>/",
        "get",
        lambda w: f"/{A}forms/{w.survey.form_id}/",
        allowed(VIEWERS, 200, 404),
        setup=_form,
    ),
    Endpoint(
        f"{A}forms/<int:pk>/submissions/",
        "get",
        lambda w: f"/{A}forms/{w.survey.form_id}/submissions/",
        allowed(VIEWERS, 200, 404),
        setup=_submission,
    ),
    Endpoint(
        f"{A}forms/<int:pk>/submissions/import/",
        "post",
        lambda w: f"/{A}forms/{w.survey.form_id}/submissions/import/",
        _manage(200),
        body=_export_body,
        setup=_form,
        anonymous=401,
    ),
    # Pages.
    Endpoint(
        "assessment/",
        "get",
        lambda w: "/assessment/",
        allowed(PAGE_USERS, 200, 403),
        api=False,
        setup=_form,
    ),
    Endpoint(
        "assessment/forms/upload/",
        "post",
        lambda w: "/assessment/forms/upload/",
        # Another mission's commander may upload to theirs only: this mission is no choice.
        allowed(MANAGERS | {"other_commander"}, 302, 403),
        body=_upload_body,
        api=False,
    ),
    Endpoint(
        F,
        "get",
        lambda w: f"/assessment/forms/{w.survey.form_id}/",
        allowed(VIEWERS, 200, 404),
        api=False,
        setup=_submission,
    ),
    Endpoint(
        f"{F}analysis/",
        "get",
        lambda w: f"/assessment/forms/{w.survey.form_id}/analysis/?question=trust&value=yes",
        allowed(VIEWERS, 200, 404),
        api=False,
        setup=_submission,
    ),
    Endpoint(
        f"{F}assign/",
        "post",
        lambda w: f"/assessment/forms/{w.survey.form_id}/assign/",
        _manage(302),
        body=lambda w: {
            "place": f"site:{w.site_b.pk}",
            "opens_on": "2026-11-01",
            "closes_on": "2026-11-30",
            "round_label": "2026 Q4",
        },
        api=False,
        setup=_form,
    ),
    Endpoint(
        f"{F}import/",
        "post",
        lambda w: f"/assessment/forms/{w.survey.form_id}/import/",
        _manage(200),
        body=_export_body,
        api=False,
        setup=_form,
    ),
    Endpoint(
        f"{F}status/",
        "post",
        lambda w: f"/assessment/forms/{w.survey.form_id}/status/",
        _manage(302),
        body=lambda w: {"status": "closed"},
        api=False,
        setup=_form,
    ),
    Endpoint(
        f"{F}source/",
        "post",
        lambda w: f"/assessment/forms/{w.survey.form_id}/source/",
        _manage(302),
        body=lambda w: {
            "kind": "kobo",
            "base_url": "https://kobo.example",
            "asset_uid": "aMatrixAsset",
            "credential": "matrix-token",
        },
        api=False,
        setup=_form,
    ),
    Endpoint(
        f"{F}source/remove/",
        "post",
        lambda w: f"/assessment/forms/{w.survey.form_id}/source/remove/",
        _manage(302),
        api=False,
        setup=_source,
    ),
    Endpoint(
        f"{F}pull/",
        "post",
        lambda w: f"/assessment/forms/{w.survey.form_id}/pull/",
        _manage(302),
        api=False,
        setup=_source,
    ),
    # A pull's page and the progress it polls: for those who may manage the form only.
    Endpoint(
        "assessment/pulls/<int:pk>/",
        "get",
        lambda w: f"/assessment/pulls/{w.pull.pk}/",
        allowed(MANAGERS, 200, 404),
        api=False,
        setup=_pull,
    ),
    Endpoint(
        "assessment/pulls/<int:pk>/progress/",
        "get",
        lambda w: f"/assessment/pulls/{w.pull.pk}/progress/",
        allowed(MANAGERS, 200, 404),
        api=False,
        setup=_pull,
    ),
    Endpoint(
        "assessment/versions/<int:pk>/media/",
        "post",
        lambda w: f"/assessment/versions/{w.survey.pk}/media/",
        _manage(302),
        body=lambda w: {"file": SimpleUploadedFile("logo.png", b"\x89PNG")},
        api=False,
        setup=_form,
    ),
    Endpoint(
        "assessment/submissions/<int:pk>/",
        "get",
        lambda w: f"/assessment/submissions/{w.response.pk}/",
        allowed(READERS_AT_A, 200, 404),
        api=False,
        setup=_submission,
    ),
    Endpoint(
        "assessment/collect/",
        "get",
        lambda w: "/assessment/collect/",
        allowed(COLLECTORS | {"other_commander"}, 200, 403),
        api=False,
    ),
    Endpoint(
        "assessment/collect/",
        "post",
        lambda w: "/assessment/collect/",
        allowed(COLLECTORS | {"other_commander"}, 200, 403),
        body=lambda w: {"name": "Phone 2"},
        api=False,
    ),
    Endpoint(
        "assessment/collect/<int:pk>/revoke/",
        "post",
        lambda w: f"/assessment/collect/{w.credential.pk}/revoke/",
        allowed({"reporter_at_a"}, 302, 404),
        api=False,
        setup=_credential,
    ),
    # Indicators.
    Endpoint(
        "assessment/indicators/",
        "get",
        lambda w: "/assessment/indicators/",
        allowed(INDICATOR_READERS | {"other_commander"}, 200, 403),
        api=False,
        setup=_entered_indicator,
    ),
    Endpoint(
        "assessment/indicators/export.csv",
        "get",
        lambda w: "/assessment/indicators/export.csv",
        allowed(INDICATOR_READERS | {"other_commander"}, 200, 403),
        api=False,
        setup=_entered_indicator,
    ),
    Endpoint(
        "assessment/indicators/factsheet.pdf",
        "get",
        lambda w: "/assessment/indicators/factsheet.pdf",
        allowed(INDICATOR_READERS | {"other_commander"}, 200, 403),
        api=False,
        setup=_entered_indicator,
    ),
    Endpoint(
        "assessment/indicators/compute/<int:mission_pk>/",
        "post",
        lambda w: f"/assessment/indicators/compute/{w.mission.pk}/",
        allowed(MANAGERS, 302, 403),
        body=lambda w: {"period_start": "2026-11-01", "period_end": "2026-11-30"},
        api=False,
    ),
    Endpoint(
        "assessment/indicators/<int:pk>/enter/",
        "post",
        lambda w: f"/assessment/indicators/{w.indicator.pk}/enter/",
        lambda who: 302 if who in MANAGERS else (403 if who in INDICATOR_READERS else 404),
        body=lambda w: {
            "period_start": "2026-11-01",
            "period_end": "2026-11-30",
            "value": "40",
            "evidence": "Attendance sheets",
        },
        api=False,
        setup=_entered_indicator,
    ),
    # OpenRosa (Basic over TLS only; see the module docstring).
    _openrosa("openrosa/<slug:mission>/formList", lambda w: "/openrosa/minutest/formList"),
    _openrosa(f"{V}form.xml", lambda w: _form_url(w, "form.xml")),
    _openrosa(f"{V}manifest", lambda w: _form_url(w, "manifest")),
    _openrosa(f"{V}media/<str:filename>", lambda w: _form_url(w, "media/x.png")),
    _openrosa(
        "openrosa/<slug:mission>/submission", lambda w: "/openrosa/minutest/submission", "post"
    ),
]

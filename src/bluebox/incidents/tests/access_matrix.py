"""Access matrix rows for incident endpoints (see bluebox.testing.matrix)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from bluebox.incidents import services
from bluebox.incidents.photos import PhotoUpload
from bluebox.incidents.tests.conftest import UCDP_COLUMNS, ucdp_row
from bluebox.testing import images
from bluebox.testing.factories import ImportJobFactory, IncidentFactory, ProtectedPersonFactory
from bluebox.testing.matrix import MISSION_MEMBERS, PEOPLE, Endpoint, allowed, everyone
from bluebox.testing.second_factor import with_step_ups

VIEWERS = {
    "commissioner",
    "reporter_at_a",
    "analyst",
    "east_analyst",
    "planner",
    "source_handler",
    "detention_officer",
    "hrddp_officer",
}
CREATORS = {"commissioner", "reporter_at_a", "analyst", "east_analyst", "source_handler"}
VERIFIERS = {"commissioner", "analyst", "east_analyst"}
RESPONDERS = {"commissioner", "reporter_at_a", "analyst", "east_analyst"}
COMMANDERS = {"commissioner"}
# Mission-wide analysts and commanders import; other_commander may, into their own mission.
IMPORTERS = {"commissioner", "analyst"}


def _among_viewers(people: set[str], yes: int) -> Any:
    """``yes`` for ``people``; 403 for others who see the record; 404 for everyone else."""
    return lambda who: yes if who in people else (403 if who in VIEWERS else 404)


def _verified_at_a(w: Any) -> None:
    w.incident = IncidentFactory(site=w.site_a, title="Verified at A", status="verified")


def _two_at_a(w: Any) -> None:
    w.incident = IncidentFactory(site=w.site_a, title="Report 1")
    w.other_incident = IncidentFactory(site=w.site_a, title="Report 2")


def _merged_at_a(w: Any) -> None:
    """Two reports at site A, the second merged into the first by the mission's analyst."""
    _two_at_a(w)
    services.incident_merge(
        actor=w.analyst, incident_id=w.incident.pk, duplicate_id=w.other_incident.pk
    )


def _blue_at_a(w: Any) -> None:
    w.incident = IncidentFactory(site=w.site_a, title="Blue at A", primacy="blue")


def _informant_at_a(w: Any) -> None:
    w.incident = IncidentFactory(site=w.site_a, title="With a source")
    w.person = ProtectedPersonFactory(incident=w.incident)


def _incident_at_a(w: Any) -> None:
    w.incident = IncidentFactory(site=w.site_a, title="Incident at A")


def _photo_at_a(w: Any) -> None:
    """An incident at site A reported with a photo, through the service as a reporter would."""
    w.incident = services.incident_report(
        actor=w.reporter_at_a,
        mission=w.mission,
        site_id=w.site_a.pk,
        data={
            "title": "Photographed at A",
            "incident_type": "arson",
            "occurred_at": datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
            "latitude": 3.01,
            "longitude": -9.49,
        },
        photos=[PhotoUpload("house.jpg", images.photo())],
    )
    w.photo = w.incident.photos.get()


def _create_body(w: Any) -> dict[str, Any]:
    return {
        "mission": w.mission.pk,
        "site": w.site_a.pk,
        "title": "Matrix",
        "incident_type": "looting",
        "occurred_at": "2026-11-01T10:00:00Z",
        "latitude": 3.0,
        "longitude": -9.5,
    }


def _create_expect(who: str) -> int:
    if who in CREATORS:
        return 201
    return 403 if who in MISSION_MEMBERS else 404


def _new_page_expect(who: str) -> int:
    # The form opens for anyone who may report somewhere (their own site or mission).
    return 200 if who in CREATORS | {"reporter_at_b", "other_commander"} else 403


def _ucdp_upload() -> SimpleUploadedFile:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=UCDP_COLUMNS)
    writer.writeheader()
    writer.writerows([ucdp_row(1), ucdp_row(2)])
    return SimpleUploadedFile("ged.csv", text.getvalue().encode(), content_type="text/csv")


def _import_job(w: Any) -> None:
    w.job = ImportJobFactory(mission=w.mission, requested_by=w.analyst)


def _import_page_expect(who: str) -> int:
    return 200 if who in IMPORTERS | {"other_commander"} else 403


def _import_post_expect(who: str) -> int:
    # other_commander's form offers only their own mission: this one is an invalid choice.
    return 302 if who in IMPORTERS else (400 if who == "other_commander" else 403)


def _api_import_expect(who: str) -> int:
    if who in IMPORTERS:
        return 202
    return 403 if who in MISSION_MEMBERS else 404


ENDPOINTS = [
    Endpoint("api/v1/incidents/", "get", lambda w: "/api/v1/incidents/", everyone(200)),
    Endpoint(
        "api/v1/incidents/",
        "post",
        lambda w: "/api/v1/incidents/",
        _create_expect,
        body=_create_body,
    ),
    Endpoint(
        "api/v1/incidents/<int:pk>/",
        "get",
        lambda w: f"/api/v1/incidents/{w.incident.pk}/",
        allowed(VIEWERS, 200, 404),
        setup=_incident_at_a,
    ),
    Endpoint(
        "api/v1/incidents/<int:pk>/photos/<int:photo>/",
        "get",
        lambda w: f"/api/v1/incidents/{w.incident.pk}/photos/{w.photo.pk}/",
        allowed(VIEWERS, 200, 404),
        setup=_photo_at_a,
    ),
    Endpoint(
        "api/v1/incidents/<int:pk>/verify/",
        "post",
        lambda w: f"/api/v1/incidents/{w.incident.pk}/verify/",
        allowed(VERIFIERS, 200, 404),
        setup=_incident_at_a,
    ),
    Endpoint(
        "api/v1/incidents/<int:pk>/void/",
        "post",
        lambda w: f"/api/v1/incidents/{w.incident.pk}/void/",
        allowed(VERIFIERS, 200, 404),
        body=lambda w: {"reason": "duplicate"},
        setup=_incident_at_a,
    ),
    Endpoint(
        "api/v1/incidents/export/<str:fmt>/",
        "get",
        lambda w: "/api/v1/incidents/export/csv/",
        everyone(200),
        setup=_incident_at_a,
    ),
    Endpoint(
        "api/v1/incidents/<int:pk>/respond/",
        "post",
        lambda w: f"/api/v1/incidents/{w.incident.pk}/respond/",
        _among_viewers(RESPONDERS, 201),
        body=lambda w: {"mode": "patrol", "responded_at": "2026-11-01T10:00:00Z"},
        setup=_incident_at_a,
    ),
    Endpoint(
        "api/v1/incidents/<int:pk>/close/",
        "post",
        lambda w: f"/api/v1/incidents/{w.incident.pk}/close/",
        _among_viewers(VERIFIERS, 200),
        setup=_verified_at_a,
    ),
    Endpoint(
        "api/v1/incidents/<int:pk>/link/",
        "post",
        lambda w: f"/api/v1/incidents/{w.incident.pk}/link/",
        _among_viewers(VERIFIERS, 201),
        body=lambda w: {"other": w.other_incident.pk},
        setup=_two_at_a,
    ),
    Endpoint(
        "api/v1/incidents/<int:pk>/merge/",
        "post",
        lambda w: f"/api/v1/incidents/{w.incident.pk}/merge/",
        _among_viewers(VERIFIERS, 201),
        body=lambda w: {"duplicate": w.other_incident.pk, "note": "Same market attack"},
        setup=_two_at_a,
    ),
    Endpoint(
        "api/v1/incidents/<int:pk>/unmerge/",
        "post",
        lambda w: f"/api/v1/incidents/{w.other_incident.pk}/unmerge/",
        _among_viewers(VERIFIERS, 200),
        body=lambda w: {"reason": "Two attacks after all"},
        setup=_merged_at_a,
    ),
    Endpoint(
        "api/v1/incidents/<int:pk>/primacy/",
        "post",
        lambda w: f"/api/v1/incidents/{w.incident.pk}/primacy/",
        _among_viewers(COMMANDERS, 201),
        body=lambda w: {"to_primacy": "green", "reason": "Heavy weapons seen"},
        setup=_blue_at_a,
    ),
    Endpoint(
        "api/v1/protected-people/",
        "get",
        lambda w: "/api/v1/protected-people/",
        everyone(200),
        setup=_informant_at_a,
    ),
    Endpoint(
        "api/v1/protected-people/",
        "post",
        lambda w: "/api/v1/protected-people/",
        _among_viewers(CREATORS, 201),
        body=lambda w: {"incident": w.incident.pk, "kind": "witness", "identity": "Someone"},
        setup=_incident_at_a,
    ),
    Endpoint(
        "api/v1/protected-people/<int:pk>/reveal/",
        "post",
        lambda w: f"/api/v1/protected-people/{w.person.pk}/reveal/",
        _among_viewers({"source_handler"}, 200),
        body=lambda w: {"purpose": "Arrange a safe meeting"},
        setup=with_step_ups(_informant_at_a, "person", PEOPLE),
    ),
    Endpoint("incidents/", "get", lambda w: "/incidents/", everyone(200), api=False),
    Endpoint(
        "incidents/export/<str:fmt>/",
        "get",
        lambda w: "/incidents/export/geojson/",
        everyone(200),
        api=False,
        setup=_incident_at_a,
    ),
    Endpoint(
        "incidents/people/<int:pk>/reveal/",
        "get",
        lambda w: f"/incidents/people/{w.person.pk}/reveal/",
        allowed(VIEWERS, 200, 404),
        api=False,
        setup=_informant_at_a,
    ),
    Endpoint(
        "incidents/<int:pk>/<str:step>/",
        "post",
        lambda w: f"/incidents/{w.incident.pk}/respond/",
        _among_viewers(RESPONDERS, 302),
        body=lambda w: {"mode": "patrol", "responded_at": "2026-11-01 10:00"},
        api=False,
        setup=_incident_at_a,
    ),
    Endpoint(
        "incidents/<int:pk>/<str:step>/",
        "post",
        lambda w: f"/incidents/{w.incident.pk}/merge/",
        _among_viewers(VERIFIERS, 302),
        body=lambda w: {"duplicate": w.other_incident.pk, "note": "Same market attack"},
        api=False,
        setup=_two_at_a,
    ),
    Endpoint(
        "incidents/<int:pk>/<str:step>/",
        "post",
        lambda w: f"/incidents/{w.other_incident.pk}/unmerge/",
        _among_viewers(VERIFIERS, 302),
        body=lambda w: {"reason": "Two attacks after all"},
        api=False,
        setup=_merged_at_a,
    ),
    Endpoint(
        "incidents/trends/",
        "get",
        lambda w: "/incidents/trends/",
        everyone(200),
        api=False,
        setup=_incident_at_a,
    ),
    Endpoint("incidents/new/", "get", lambda w: "/incidents/new/", _new_page_expect, api=False),
    Endpoint(
        "incidents/<int:pk>/",
        "get",
        lambda w: f"/incidents/{w.incident.pk}/",
        allowed(VIEWERS, 200, 404),
        api=False,
        setup=_incident_at_a,
    ),
    Endpoint(
        "incidents/<int:pk>/photos/<int:photo>/",
        "get",
        lambda w: f"/incidents/{w.incident.pk}/photos/{w.photo.pk}/",
        allowed(VIEWERS, 200, 404),
        api=False,
        setup=_photo_at_a,
    ),
    Endpoint(
        "incidents/<int:pk>/verify/",
        "post",
        lambda w: f"/incidents/{w.incident.pk}/verify/",
        allowed(VERIFIERS, 302, 404),
        api=False,
        setup=_incident_at_a,
    ),
    Endpoint(
        "incidents/<int:pk>/void/",
        "post",
        lambda w: f"/incidents/{w.incident.pk}/void/",
        allowed(VERIFIERS, 302, 404),
        body=lambda w: {"reason": "duplicate"},
        api=False,
        setup=_incident_at_a,
    ),
    Endpoint(
        "incidents/import/",
        "get",
        lambda w: "/incidents/import/",
        _import_page_expect,
        api=False,
    ),
    Endpoint(
        "incidents/import/",
        "post",
        lambda w: "/incidents/import/",
        _import_post_expect,
        body=lambda w: {"mission": w.mission.pk, "fmt": "ucdp", "file": _ucdp_upload()},
        api=False,
    ),
    Endpoint(
        "incidents/import/<int:pk>/",
        "get",
        lambda w: f"/incidents/import/{w.job.pk}/",
        allowed(IMPORTERS, 200, 404),
        api=False,
        setup=_import_job,
    ),
    Endpoint(
        "incidents/import/<int:pk>/progress/",
        "get",
        lambda w: f"/incidents/import/{w.job.pk}/progress/",
        allowed(IMPORTERS, 200, 404),
        api=False,
        setup=_import_job,
    ),
    Endpoint(
        "incidents/import/<int:pk>/errors.csv",
        "get",
        lambda w: f"/incidents/import/{w.job.pk}/errors.csv",
        allowed(IMPORTERS, 200, 404),
        api=False,
        setup=_import_job,
    ),
    Endpoint(
        "api/v1/incidents/imports/",
        "get",
        lambda w: "/api/v1/incidents/imports/",
        everyone(200),
        setup=_import_job,
    ),
    Endpoint(
        "api/v1/incidents/imports/",
        "post",
        lambda w: "/api/v1/incidents/imports/",
        _api_import_expect,
        body=lambda w: {"mission": w.mission.pk, "format": "ucdp", "file": _ucdp_upload()},
    ),
    Endpoint(
        "api/v1/incidents/imports/<int:pk>/",
        "get",
        lambda w: f"/api/v1/incidents/imports/{w.job.pk}/",
        allowed(IMPORTERS, 200, 404),
        setup=_import_job,
    ),
]

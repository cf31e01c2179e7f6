"""Submissions imported from KoBoToolbox and ODK Central exports.

The fixtures are written here the way those servers write them (see the module docstring of
``assessment/submission_files.py``): ODK Central's CSV (alone and in its zip with ``media/``)
and OData JSON, KoBoToolbox's ``;``-separated CSV with XML values and headers, its XLSX, and its
API v2 JSON.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from bluebox.assessment import imports, services
from bluebox.assessment.models import Submission, SubmissionSource
from bluebox.assessment.tests.factories import (
    EXPORT_IDS as IDS,
)
from bluebox.assessment.tests.factories import (
    EXPORT_QUESTIONS as QUESTIONS,
)
from bluebox.assessment.tests.factories import (
    SURVEY,
    central_csv,
    collected_form,
    xlsform,
)
from bluebox.assessment.tests.factories import (
    export_answers as _answers,
)
from bluebox.core.exceptions import NotPermitted, ServiceError
from bluebox.core.models import AuditEntry


def central_zip(media: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("poc_perception.csv", central_csv())
        for name, content in media.items():
            archive.writestr(f"media/{name}", content)
    return out.getvalue()


def central_odata() -> bytes:
    """``Submissions`` of Central's OData feed: numbers as numbers, metadata in __system."""
    value = []
    for n in range(3):
        row: dict[str, Any] = {"__id": IDS[n]}
        for q, v in _answers(n).items():
            row[q] = (int(v) if q == "age" else float(v) if q == "weight" else v) if v else None
        row["meta"] = {"instanceID": IDS[n]}
        row["__system"] = {
            "submissionDate": f"2026-11-0{n + 3}T09:12:44.512Z",
            "updatedAt": None,
            "submitterId": "7",
            "submitterName": "Collector 1",
            "attachmentsPresent": 0,
            "attachmentsExpected": 1 if row["photo"] else 0,
            "status": None,
            "reviewState": None,
            "deviceId": "collect:abc123",
            "edits": 0,
            "formVersion": "2026110101",
        }
        value.append(row)
    feed = {"@odata.context": "https://central.example/v1/projects/1/forms/x.svc/$metadata"}
    return json.dumps({**feed, "value": value}).encode()


KOBO_TAIL = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status"]
KOBO_TAIL += ["_submitted_by", "__version__", "_tags", "_index"]


def _kobo_rows() -> list[list[Any]]:
    rows = []
    for n in range(3):
        a = _answers(n)
        rows.append(
            ["2026-11-03T09:00:00.000+01:00", "2026-11-03T09:10:00.000+01:00"]
            + [a[q] for q in QUESTIONS]
            + [1000 + n, IDS[n].removeprefix("uuid:"), f"2026-11-0{n + 3}T08:12:44", "", ""]
            + ["submitted_via_web", "", "vQhNdXdSDEFZW8tQ8NpD3g", "", n + 1]
        )
    return rows


def kobo_csv() -> bytes:
    """A KoBoToolbox CSV export: XML values and headers, ';' between fields."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["start", "end", *QUESTIONS, *KOBO_TAIL])
    writer.writerows(_kobo_rows())
    return out.getvalue().encode("utf-8-sig")


def kobo_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Perception of safety"
    sheet.append(["start", "end", *QUESTIONS, *KOBO_TAIL])
    for row in _kobo_rows():
        # KoBo stores numbers as numbers unless told to keep them as text.
        row[6] = int(row[6])
        row[10] = float(row[10])
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def kobo_json() -> bytes:
    """``/api/v2/assets/<uid>/data/?format=json``."""
    results = []
    for n in range(3):
        a = {q: v for q, v in _answers(n).items() if v}
        results.append(
            {
                "_id": 1000 + n,
                "formhub/uuid": "4d3c2b1a",
                **a,
                "__version__": "vQhNdXdSDEFZW8tQ8NpD3g",
                "meta/instanceID": IDS[n],
                "_xform_id_string": "aBcDeF",
                "_uuid": IDS[n].removeprefix("uuid:"),
                "_attachments": [],
                "_status": "submitted_via_web",
                "_geolocation": [None, None],
                "_submission_time": f"2026-11-0{n + 3}T08:12:44",
                "_tags": [],
                "_notes": [],
                "_validation_status": {},
                "_submitted_by": None,
            }
        )
    return json.dumps({"count": 3, "next": None, "previous": None, "results": results}).encode()


@pytest.fixture
def form(world):
    return collected_form(world.analyst, world.mission).form


def _import(world, form, content: bytes, filename: str):
    return imports.submissions_import(
        actor=world.analyst, form_pk=form.pk, content=content, filename=filename
    )


@pytest.mark.parametrize(
    ("make", "filename", "source"),
    [
        (central_csv, "poc_perception.csv", SubmissionSource.CENTRAL),
        (central_odata, "Submissions.json", SubmissionSource.CENTRAL),
        (kobo_csv, "Perception_of_safety_-_all_versions_-_False_-_2026-11-10.csv", "kobo"),
        (kobo_xlsx, "Perception_of_safety_-_all_versions.xlsx", SubmissionSource.KOBO),
        (kobo_json, "data.json", SubmissionSource.KOBO),
    ],
    ids=["central-csv", "central-odata", "kobo-csv", "kobo-xlsx", "kobo-json"],
)
def test_an_export_is_imported_once_whatever_the_server(world, form, make, filename, source):
    report = _import(world, form, make(), filename)
    assert report.ok, report.errors
    assert (report.rows, report.created, report.unchanged) == (3, 3, 0)
    assert report.versions == {"2026110101": 3}
    stored = {s.instance_id: s for s in Submission.objects.filter(form=form)}
    assert set(stored) == set(IDS)
    first = stored[IDS[0]]
    assert first.source == source
    assert first.answers["trust"] == "yes" and first.answers["age"] == "34"
    assert float(first.answers["weight"]) == 1.5
    assert first.site == world.site_a and stored[IDS[2]].site == world.site_b
    assert first.round_label == "2026 Q4"
    assert first.received_at.date() == date(2026, 11, 3)
    # The photo it names has not arrived: the submission waits for it.
    assert first.attachments_expected == ["1.jpg"] and not first.complete
    assert stored[IDS[1]].complete

    again = _import(world, form, make(), filename)
    assert again.ok and (again.created, again.unchanged) == (0, 3)
    assert Submission.objects.filter(form=form).count() == 3


def test_the_same_submissions_from_another_server_are_not_duplicated(world, form):
    assert _import(world, form, central_csv(), "a.csv").created == 3
    report = _import(world, form, kobo_csv(), "b.csv")
    assert report.ok and (report.created, report.unchanged) == (0, 3)
    assert Submission.objects.count() == 3


def test_a_bad_row_refuses_the_whole_file_with_a_report_by_row(world, form):
    rows = [_answers(0), {**_answers(1), "trust": "Yes, a lot"}, {**_answers(2), "age": "old"}]
    report = _import(world, form, central_csv(rows), "x.csv")
    assert not report.ok
    assert report.created == 0 and report.error_count == 2
    texts = [e.as_text() for e in report.errors]
    assert texts[0].startswith(f"row 2 ({IDS[1]}): trust: 'Yes, a lot' is not a choice")
    assert texts[1].startswith(f"row 3 ({IDS[2]}): age: 'old' is not a whole number")
    assert not Submission.objects.exists()
    entry = AuditEntry.objects.filter(action="survey-submissions-import").latest("seq")
    assert entry.detail["errors"] == 2 and entry.detail["created"] == 0


def test_other_answers_under_a_stored_instance_id_are_a_row_error(world, form):
    assert _import(world, form, central_csv(), "a.csv").ok
    rows = [_answers(0), {**_answers(1), "trust": "yes"}, _answers(2)]
    report = _import(world, form, central_csv(rows), "a.csv")
    assert [(e.row, e.field) for e in report.errors] == [(2, "trust")]
    assert "another answer" in report.errors[0].message
    assert Submission.objects.get(instance_id=IDS[1]).answers["trust"] == "no"


def test_unknown_site_and_dates_outside_any_assignment_are_row_errors(world, form):
    late = central_csv().replace(b"2026-11-05T", b"2019-11-05T")
    rows = central_csv([{**_answers(0), "site": "atlantis"}, _answers(1), _answers(2)])
    unknown = _import(world, form, rows, "x.csv")
    assert [(e.row, e.field) for e in unknown.errors] == [(1, "site")]
    outside = _import(world, form, late, "x.csv")
    assert [e.row for e in outside.errors] == [3]
    assert "assign the form" in outside.errors[0].message
    assert not Submission.objects.exists()


def test_rows_are_matched_to_the_version_they_were_filled_in(world, form):
    services.form_upload(
        actor=world.analyst,
        mission_id=world.mission.pk,
        content=xlsform(version="2026120101", survey=[*SURVEY, ["text", "district", "District"]]),
        filename="v2.xlsx",
    )
    # The export names the old version: stored under it, though a newer one exists.
    report = _import(world, form, central_csv(), "x.csv")
    assert report.ok and report.versions == {"2026110101": 3}
    # A KoBo export names KoBo's own deployment id: the newest version holding the answers.
    rows = kobo_csv().replace(b"__version__", b"district;__version__")
    rows = rows.replace(b";vQhNd", b";Kaga Bandoro;vQhNd")
    for n in range(3):
        rows = rows.replace(IDS[n].removeprefix("uuid:").encode(), f"k-{n}".encode())
    newer = _import(world, form, rows, "k.csv")
    assert newer.ok, newer.errors
    assert newer.versions == {"2026120101": 3}
    assert Submission.objects.get(instance_id="uuid:k-0").answers["district"] == "Kaga Bandoro"
    # A question no version has is a row error.
    bad = _import(world, form, central_csv(version="", extra={"colour": "red"}), "x.csv")
    assert [(e.row, e.field) for e in bad.errors] == [(1, "colour"), (2, "colour"), (3, "colour")]
    assert "no version of the form has" in bad.errors[0].message


def test_an_edit_in_central_replaces_the_stored_submission(world, form):
    assert _import(world, form, central_csv(), "a.csv").ok
    edit_id = "uuid:0d7c8f3e-0009-4c2a-9a10-1a2b3c4d5e09"
    rows = [_answers(0), {**_answers(1), "trust": "yes", "iid": edit_id}, _answers(2)]
    report = _import(world, form, central_csv(rows), "a.csv")
    assert report.ok, report.errors
    assert (report.created, report.edits, report.unchanged) == (1, 1, 2)
    old, new = (
        Submission.objects.get(instance_id=IDS[1]),
        Submission.objects.get(instance_id=edit_id),
    )
    assert new.replaces == old and not old.is_current and new.answers["trust"] == "yes"


def test_media_in_centrals_zip_complete_the_submission(world, form):
    report = _import(world, form, central_zip({"1.jpg": b"\xff\xd8photo"}), "export.zip")
    assert report.ok and report.attachments == 1
    stored = Submission.objects.get(instance_id=IDS[0])
    assert stored.complete
    assert stored.attachments.get().read() == b"\xff\xd8photo"


@pytest.mark.parametrize(
    ("content", "filename", "says"),
    [
        (b"a,b,c\n1,2,3\n", "x.csv", "neither the KEY"),
        (b'{"rows": []}', "x.json", "neither ODK Central"),
        (b"PK\x03\x04broken", "x.zip", "could not be opened"),
        (b"\xff\xfe\x00bad", "x.csv", "not UTF-8"),
    ],
)
def test_a_file_that_is_not_an_export_is_refused_and_nothing_changes(
    world, form, content, filename, says
):
    with pytest.raises(ServiceError, match=says):
        _import(world, form, content, filename)
    assert not Submission.objects.exists()


def test_only_the_forms_managers_import(world, form):
    with pytest.raises(NotPermitted):
        imports.submissions_import(
            actor=world.reporter_at_a, form_pk=form.pk, content=central_csv(), filename="x.csv"
        )
    assert not Submission.objects.exists()


def test_the_page_shows_the_report_and_the_api_returns_it(world, form, client):
    client.force_login(world.analyst)
    page = client.post(
        f"/assessment/forms/{form.pk}/import/",
        {
            "file": SimpleUploadedFile(
                "x.csv", central_csv([_answers(0), {**_answers(1), "age": "x"}])
            )
        },
    )
    assert page.status_code == 400
    assert b"row 2" in page.content and b"not a whole number" in page.content
    assert not Submission.objects.exists()
    api = APIClient()
    api.force_authenticate(world.analyst)
    url = f"/api/v1/assessment/forms/{form.pk}/submissions/import/"
    done = api.post(
        url, {"file": SimpleUploadedFile("x.json", central_odata())}, format="multipart"
    )
    assert done.status_code == 200, done.content
    assert done.json()["created"] == 3 and done.json()["errors"] == []
    bad_rows = central_csv([{**_answers(0), "iid": "uuid:new", "key": "uuid:new", "age": "x"}])
    rows = api.post(url, {"file": SimpleUploadedFile("x.csv", bad_rows)}, format="multipart")
    assert rows.status_code == 422
    assert rows.json()["errors"][0]["field"] == "age" and rows.json()["created"] == 0
    refused = api.post(
        url, {"file": SimpleUploadedFile("x.csv", b"a;b\n1;2\n")}, format="multipart"
    )
    assert refused.status_code == 400
    page = client.post(
        f"/assessment/forms/{form.pk}/import/",
        {"file": SimpleUploadedFile("x.json", central_odata())},
    )
    assert page.status_code == 200
    assert b"3 submissions read: 0 stored, 3 already there." in page.content

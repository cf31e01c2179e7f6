"""Survey forms: XLSForm upload validated by pyxform, versions, languages, assignment."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bluebox.assessment import services
from bluebox.assessment.models import FormAssignment, FormVersion, SurveyForm
from bluebox.assessment.tests.factories import SURVEY, xlsform
from bluebox.core.exceptions import NotPermitted, ServiceError
from bluebox.core.models import AuditEntry


def test_an_analyst_uploads_a_form_with_its_languages_and_questions(world):
    version = services.form_upload(
        actor=world.analyst, mission_id=world.mission.pk, content=xlsform(), filename="f.xlsx"
    )
    form = version.form
    assert (form.form_id, form.title, version.version) == (
        "poc_perception",
        "Perception of safety",
        "2026110101",
    )
    assert version.languages == ["English (en)", "Français (fr)"]
    trust = next(q for q in version.questions if q["name"] == "trust")
    assert trust["label"]["Français (fr)"] == "Faites-vous confiance à la police ici ?"
    assert [c["name"] for c in trust["choices"]] == ["yes", "no"]
    assert {q["name"] for q in version.questions if q["binary"]} == {"photo", "voice"}
    assert 'id="poc_perception"' in version.xform
    assert AuditEntry.objects.filter(action="survey-form-version").count() == 1


def test_the_same_file_again_is_a_no_op_and_a_new_version_is_kept_beside_the_old(world):
    upload = {"actor": world.analyst, "mission_id": world.mission.pk, "filename": "f.xlsx"}
    first = services.form_upload(content=xlsform(), **upload)
    assert services.form_upload(content=xlsform(), **upload) == first
    second = services.form_upload(content=xlsform(version="2026110102", title="Safety"), **upload)
    assert second.form == first.form
    assert first.form.versions.count() == 2
    assert SurveyForm.objects.get().current_version == second
    assert SurveyForm.objects.get().title == "Safety"


def test_a_changed_form_under_a_used_version_is_refused(world):
    upload = {"actor": world.analyst, "mission_id": world.mission.pk, "filename": "f.xlsx"}
    services.form_upload(content=xlsform(), **upload)
    with pytest.raises(ServiceError, match="raise the version"):
        services.form_upload(content=xlsform(title="Changed"), **upload)
    assert FormVersion.objects.count() == 1


@pytest.mark.parametrize(
    ("survey", "choices", "expect"),
    [
        (
            [["type", "name", "label"], ["text", "q1", "Q1"], ["integr", "q2", "Q2"]],
            None,
            "row 3",
        ),
        (
            [["type", "name", "label"], ["select_one nolist", "q1", "Q1"]],
            [["list_name", "name", "label"], ["other", "a", "A"]],
            "nolist",
        ),
        ([["type", "name", "label"], ["text", "bad name", "Q1"]], None, "row 2"),
    ],
    ids=["unknown-type", "missing-list", "invalid-name"],
)
def test_pyxform_errors_are_shown_by_sheet_and_row_and_nothing_is_stored(
    world, survey, choices, expect
):
    content = xlsform(survey=survey, choices=choices or [["list_name", "name", "label"]])
    with pytest.raises(ServiceError) as caught:
        services.form_upload(
            actor=world.analyst, mission_id=world.mission.pk, content=content, filename="f.xlsx"
        )
    problems = caught.value.field_errors["xlsform"]
    assert any(expect in p for p in problems), problems
    assert any(p.startswith("sheet survey") for p in problems), problems
    assert not SurveyForm.objects.exists()


def test_a_file_that_is_no_xlsform_is_refused(world):
    with pytest.raises(ServiceError, match="refused"):
        services.form_upload(
            actor=world.analyst,
            mission_id=world.mission.pk,
            content=b"PK\x03\x04 not really a workbook",
            filename="f.xlsx",
        )


def test_a_form_without_version_is_refused_naming_the_settings_sheet(world):
    content = xlsform(version="")
    with pytest.raises(ServiceError) as caught:
        services.form_upload(
            actor=world.analyst, mission_id=world.mission.pk, content=content, filename="f.xlsx"
        )
    assert "settings" in caught.value.field_errors["xlsform"][0]


@pytest.mark.parametrize("who", ["reporter_at_a", "planner", "east_analyst", "admin", "outsider"])
def test_only_mission_analysts_and_commanders_upload(world, who):
    with pytest.raises(NotPermitted):
        services.form_upload(
            actor=getattr(world, who),
            mission_id=world.mission.pk,
            content=xlsform(),
            filename="f.xlsx",
        )
    assert not SurveyForm.objects.exists()


def test_another_missions_commander_cannot_upload_here_through_the_page(world):
    client = Client()
    client.force_login(world.other_commander)
    response = client.post(
        "/assessment/forms/upload/",
        {"mission": world.mission.pk, "xlsform": SimpleUploadedFile("f.xlsx", xlsform())},
    )
    assert response.status_code == 302
    assert not SurveyForm.objects.exists()


def test_the_upload_page_shows_pyxform_problems(world):
    client = Client()
    client.force_login(world.analyst)
    bad = xlsform(survey=[*SURVEY, ["integr", "q9", "Q9"]])
    response = client.post(
        "/assessment/forms/upload/",
        {"mission": world.mission.pk, "xlsform": SimpleUploadedFile("f.xlsx", bad)},
        follow=True,
    )
    page = response.content.decode()
    assert "The XLSForm was refused." in page
    assert "sheet survey, row 11" in page
    assert not SurveyForm.objects.exists()


def test_assignment_needs_one_place_and_ordered_dates(world):
    version = services.form_upload(
        actor=world.analyst, mission_id=world.mission.pk, content=xlsform(), filename="f.xlsx"
    )
    with pytest.raises(ServiceError, match="closing date"):
        services.form_assign(
            actor=world.analyst,
            form_pk=version.form_id,
            opens_on=date(2026, 11, 30),
            closes_on=date(2026, 11, 1),
        )
    with pytest.raises(ServiceError, match="No such site"):
        services.form_assign(
            actor=world.analyst,
            form_pk=version.form_id,
            opens_on=date(2026, 11, 1),
            closes_on=date(2026, 11, 30),
            site_id=world.other_site.pk,
        )
    services.form_assign(
        actor=world.analyst,
        form_pk=version.form_id,
        opens_on=date(2026, 11, 1),
        closes_on=date(2026, 11, 30),
        site_id=world.site_a.pk,
        round_label="2026 Q4",
    )
    assert FormAssignment.objects.get().site == world.site_a


def test_the_form_page_speaks_the_readers_language(world):
    version = services.form_upload(
        actor=world.analyst, mission_id=world.mission.pk, content=xlsform(), filename="f.xlsx"
    )
    client = Client()
    client.force_login(world.analyst)
    page = client.get(f"/fr/assessment/forms/{version.form_id}/").content.decode()
    assert "Faites-vous confiance à la police ici ?" in page
    page = client.get(f"/assessment/forms/{version.form_id}/").content.decode()
    assert "Do you trust the police here?" in page

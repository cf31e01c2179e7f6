"""XLSForms built in memory, survey forms ready to collect, and submissions as phones write them."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Any

import openpyxl

from bluebox.assessment import services
from bluebox.assessment.models import FormVersion

SURVEY = [
    ["type", "name", "label::English (en)", "label::Français (fr)"],
    ["select_one site", "site", "Site", "Site"],
    [
        "select_one yn",
        "trust",
        "Do you trust the police here?",
        "Faites-vous confiance à la police ici ?",
    ],
    [
        "select_one yn",
        "safe",
        "Do you feel safe at night?",
        "Vous sentez-vous en sécurité la nuit ?",
    ],
    ["select_one sex", "sex", "Sex", "Sexe"],
    ["integer", "age", "Age", "Âge"],
    ["text", "comment", "Anything to add?", "Autre chose ?"],
    ["image", "photo", "Photo of the place", "Photo du lieu"],
    ["audio", "voice", "Recorded answer", "Réponse enregistrée"],
    ["decimal", "weight", "Sampling weight", "Poids"],
]
CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Français (fr)"],
    ["yn", "yes", "Yes", "Oui"],
    ["yn", "no", "No", "Non"],
    ["sex", "female", "Female", "Femme"],
    ["sex", "male", "Male", "Homme"],
    ["site", "site-a", "Site A", "Site A"],
    ["site", "site-b", "Site B", "Site B"],
]


def xlsform(
    *,
    form_id: str = "poc_perception",
    version: str = "2026110101",
    title: str = "Perception of safety",
    survey: list[list[Any]] | None = None,
    choices: list[list[Any]] | None = None,
) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    for row in survey or SURVEY:
        sheet.append(row)
    if choices is not False:
        ch = book.create_sheet("choices")
        for row in choices or CHOICES:
            ch.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_id", "form_title", "version", "default_language"])
    settings.append([form_id, title, version, "English (en)"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def collected_form(
    actor: Any, mission: Any, *, opens_on: date = date(2020, 1, 1), **kwargs: Any
) -> FormVersion:
    """A form uploaded by ``actor`` and assigned to the whole mission, open whatever today is."""
    version = services.form_upload(
        actor=actor, mission_id=mission.pk, content=xlsform(**kwargs), filename="form.xlsx"
    )
    services.form_assign(
        actor=actor,
        form_pk=version.form_id,
        opens_on=opens_on,
        closes_on=date(2099, 12, 31),
        round_label="2026 Q4",
    )
    return version


def instance_xml(
    *,
    form_id: str = "poc_perception",
    version: str = "2026110101",
    instance_id: str | None = None,
    deprecated_id: str = "",
    site: str = "site-a",
    trust: str = "yes",
    sex: str = "female",
    age: int = 34,
    photo: str = "",
    voice: str = "",
    weight: float = 1.0,
    comment: str = "",
) -> bytes:
    """A submission as ODK Collect writes it (meta with instanceID, deprecatedID on an edit)."""
    iid = instance_id or f"uuid:{uuid.uuid4()}"
    deprecated = f"<deprecatedID>{deprecated_id}</deprecatedID>" if deprecated_id else ""
    return (
        f'<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" '
        f'xmlns:orx="http://openrosa.org/xforms" id="{form_id}" version="{version}">'
        f"<site>{site}</site><trust>{trust}</trust><safe>yes</safe><sex>{sex}</sex>"
        f"<age>{age}</age><comment>{comment}</comment><photo>{photo}</photo><voice>{voice}</voice>"
        f"<weight>{weight}</weight>"
        f"<meta><instanceID>{iid}</instanceID>{deprecated}</meta></data>"
    ).encode()


# Three submissions as KoBoToolbox and ODK Central export them (assessment/tests/test_imports.py).
EXPORT_QUESTIONS = ["site", "trust", "safe", "sex", "age", "comment", "photo", "voice", "weight"]
EXPORT_ANSWERS = [
    {"site": "site-a", "trust": "yes", "sex": "female", "age": "34", "photo": "1.jpg"},
    {"site": "site-a", "trust": "no", "sex": "male", "age": "51", "photo": ""},
    {"site": "site-b", "trust": "yes", "sex": "female", "age": "22", "photo": ""},
]
EXPORT_IDS = [
    "uuid:0d7c8f3e-0001-4c2a-9a10-1a2b3c4d5e01",
    "uuid:0d7c8f3e-0002-4c2a-9a10-1a2b3c4d5e02",
    "uuid:0d7c8f3e-0003-4c2a-9a10-1a2b3c4d5e03",
]


def export_answers(n: int) -> dict[str, str]:
    base = dict.fromkeys(EXPORT_QUESTIONS, "")
    return {**base, "safe": "yes", "weight": "1.5", **EXPORT_ANSWERS[n]}


CENTRAL_HEAD = ["SubmissionDate"]
CENTRAL_TAIL = ["meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent"]
CENTRAL_TAIL += ["AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"]


def central_csv(
    answers: list[dict[str, str]] | None = None,
    *,
    version: str = "2026110101",
    extra: dict[str, str] | None = None,
    dates: list[str] | None = None,
) -> bytes:
    """``<form>.csv`` as ODK Central writes it: SubmissionDate, answers, then its columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    extra = extra or {}
    writer.writerow([*CENTRAL_HEAD, *EXPORT_QUESTIONS, *extra, *CENTRAL_TAIL])
    for n, row in enumerate(answers or [export_answers(i) for i in range(3)]):
        iid = row.get("iid", EXPORT_IDS[n % 3])
        attachments = "1" if row["photo"] else "0"
        writer.writerow(
            [
                dates[n] if dates else f"2026-11-0{n + 3}T09:12:4{n}.512Z",
                *(row[q] for q in EXPORT_QUESTIONS),
                *extra.values(),
                *(iid, row.get("key", EXPORT_IDS[n % 3]), "7", "Collector 1", "0", attachments),
                *("", "", "collect:abc123", "0", version),
            ]
        )
    return out.getvalue().encode()

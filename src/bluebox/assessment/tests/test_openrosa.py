"""The OpenRosa endpoint driven the way ODK Collect drives it.

Collect's requests: ``GET formList`` with ``X-OpenRosa-Version: 1.0`` after answering the Basic
challenge; ``GET`` of each form's ``downloadUrl`` (and ``manifestUrl`` when the form has media);
``HEAD submission`` to learn the largest request; then ``POST submission`` as multipart with the
instance as ``xml_submission_file`` and each attachment as a part named by its file name —
split over several requests when they exceed that size, each repeating the XML and all but the
last carrying ``*isIncomplete*=yes``.
"""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from typing import Any

import pytest
from defusedxml import ElementTree
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bluebox.assessment import services
from bluebox.assessment.models import Submission, SubmissionAttachment
from bluebox.assessment.tests.factories import collected_form, instance_xml
from bluebox.core.models import AuditEntry, AuditOutcome
from bluebox.testing.factories import TEST_PASSWORD

NS = {"x": "http://openrosa.org/xforms/xformsList"}


class Collect:
    """The HTTP conversation of one phone running ODK Collect."""

    def __init__(self, username: str, password: str = TEST_PASSWORD, mission: str = "minutest"):
        self.client = Client()
        self.base = f"/openrosa/{mission}"
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self.auth = {"HTTP_AUTHORIZATION": f"Basic {token}"}
        self.headers = {"HTTP_X_OPENROSA_VERSION": "1.0"}

    def get(self, url: str, *, auth: bool = True) -> Any:
        path = re.sub(r"^https?://[^/]+", "", url)
        return self.client.get(path, secure=True, **self.headers, **(self.auth if auth else {}))

    def form_list(self) -> list[dict[str, str]]:
        first = self.get(f"{self.base}/formList", auth=False)
        assert first.status_code == 401
        assert first["WWW-Authenticate"].startswith("Basic ")
        response = self.get(f"{self.base}/formList")
        assert response.status_code == 200, response.content
        assert response["X-OpenRosa-Version"] == "1.0"
        root = ElementTree.fromstring(response.content)
        return [
            {child.tag.split("}")[1]: (child.text or "") for child in xform}
            for xform in root.findall("x:xform", NS)
        ]

    def head(self) -> Any:
        return self.client.head(f"{self.base}/submission", secure=True, **self.headers, **self.auth)

    def submit(
        self, xml: bytes, files: dict[str, bytes] | None = None, *, incomplete: bool = False
    ) -> Any:
        data: dict[str, Any] = {
            "xml_submission_file": SimpleUploadedFile("instance.xml", xml, "text/xml")
        }
        for name, content in (files or {}).items():
            data[name] = SimpleUploadedFile(name, content, "image/jpeg")
        if incomplete:
            data["*isIncomplete*"] = "yes"
        return self.client.post(
            f"{self.base}/submission?deviceID=collect%3Atest",
            data,
            secure=True,
            **self.headers,
            **self.auth,
        )


@pytest.fixture
def form(world):
    return collected_form(world.analyst, world.mission)


def test_collect_lists_downloads_and_submits_with_split_attachments(world, form):
    phone = Collect("reporter_a")
    listed = phone.form_list()
    assert [f["formID"] for f in listed] == ["poc_perception"]
    entry = listed[0]
    assert entry["version"] == "2026110101"
    assert entry["name"] == "Perception of safety"
    downloaded = phone.get(entry["downloadUrl"])
    assert downloaded.status_code == 200
    assert entry["hash"] == "md5:" + hashlib.md5(downloaded.content).hexdigest()  # noqa: S324
    assert b"<itext>" in downloaded.content and b'lang="Fran' in downloaded.content

    head = phone.head()
    assert head.status_code == 204
    assert head["X-OpenRosa-Version"] == "1.0"
    assert int(head["X-OpenRosa-Accept-Content-Length"]) >= 1024 * 1024

    iid = f"uuid:{uuid.uuid4()}"
    xml = instance_xml(instance_id=iid, photo="1700000000.jpg", voice="1700000001.m4a")
    first = phone.submit(xml, {"1700000000.jpg": b"\xff\xd8jpeg bytes"}, incomplete=True)
    assert first.status_code == 201, first.content
    assert b"waiting" in first.content
    stored = Submission.objects.get(instance_id=iid)
    assert stored.site == world.site_a and not stored.complete
    assert stored.device_id == "collect:test"
    assert stored.attachments_expected == ["1700000000.jpg", "1700000001.m4a"]
    second = phone.submit(xml, {"1700000001.m4a": b"audio bytes"})
    assert second.status_code == 201
    assert b"successful" in second.content
    stored.refresh_from_db()
    assert stored.complete
    files = {a.filename: a.read() for a in stored.attachments.all()}
    assert files == {"1700000000.jpg": b"\xff\xd8jpeg bytes", "1700000001.m4a": b"audio bytes"}
    assert Submission.objects.count() == 1


def test_the_same_xml_again_is_a_no_op_and_other_xml_under_its_id_a_409(world, form):
    phone = Collect("reporter_a")
    iid = f"uuid:{uuid.uuid4()}"
    assert phone.submit(instance_xml(instance_id=iid)).status_code == 201
    again = phone.submit(instance_xml(instance_id=iid))
    assert again.status_code == 202
    assert b"already received" in again.content
    other = phone.submit(instance_xml(instance_id=iid, trust="no"))
    assert other.status_code == 409
    assert Submission.objects.filter(instance_id=iid).count() == 1
    assert Submission.objects.get(instance_id=iid).answers["trust"] == "yes"


def test_an_attachment_sent_twice_with_other_content_is_refused(world, form):
    phone = Collect("reporter_a")
    xml = instance_xml(photo="p.jpg")
    assert phone.submit(xml, {"p.jpg": b"one"}).status_code == 201
    assert phone.submit(xml, {"p.jpg": b"one"}).status_code == 202
    assert phone.submit(xml, {"p.jpg": b"two"}).status_code == 409


def test_a_file_no_answer_names_is_not_kept(world, form):
    phone = Collect("reporter_a")
    xml = instance_xml()
    assert phone.submit(xml, {"malware.exe": b"MZ"}).status_code == 201
    assert not SubmissionAttachment.objects.exists()


def test_an_edit_replaces_the_current_submission(world, form):
    phone = Collect("reporter_a")
    first_id = f"uuid:{uuid.uuid4()}"
    assert phone.submit(instance_xml(instance_id=first_id, trust="no")).status_code == 201
    edit_id = f"uuid:{uuid.uuid4()}"
    edit = phone.submit(instance_xml(instance_id=edit_id, deprecated_id=first_id, trust="yes"))
    assert edit.status_code == 201, edit.content
    old = Submission.objects.get(instance_id=first_id)
    new = Submission.objects.get(instance_id=edit_id)
    assert not old.is_current and new.is_current and new.replaces == old
    assert new.round_label == old.round_label == "2026 Q4"
    # Editing the replaced version again is a conflict; the analyst counts one answer.
    stale = phone.submit(instance_xml(instance_id=f"uuid:{uuid.uuid4()}", deprecated_id=first_id))
    assert stale.status_code == 409
    from bluebox.assessment import selectors

    assert selectors.submissions_for(world.analyst, form=form.form).count() == 1


def test_someone_else_cannot_edit_a_submission_they_may_not_see(world, form):
    Collect("reporter_a").submit(instance_xml(instance_id="uuid:a-1"))
    intruder = Collect("reporter_b")
    edit = intruder.submit(
        instance_xml(instance_id="uuid:b-1", deprecated_id="uuid:a-1", site="site-b")
    )
    assert edit.status_code == 404
    assert Submission.objects.get(instance_id="uuid:a-1").is_current


@pytest.mark.parametrize(
    "payload",
    [
        # XXE: an external entity reading a local file.
        b'<?xml version="1.0"?><!DOCTYPE data [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<data id="poc_perception" version="2026110101"><comment>&xxe;</comment>'
        b"<meta><instanceID>uuid:x</instanceID></meta></data>",
        # Billion laughs: nested entities.
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<data id="poc_perception" version="2026110101"><comment>&lol3;</comment>'
        b"<meta><instanceID>uuid:y</instanceID></meta></data>",
        # A bare DTD is refused too: nothing a phone sends needs one.
        b'<?xml version="1.0"?><!DOCTYPE data SYSTEM "http://example.invalid/x.dtd">'
        b'<data id="poc_perception" version="2026110101"><meta><instanceID>uuid:z</instanceID>'
        b"</meta></data>",
        b"<data id='poc_perception'><unclosed></data>",
        b"<data><meta><instanceID>uuid:no-form</instanceID></meta></data>",
    ],
    ids=["xxe", "billion-laughs", "external-dtd", "malformed", "no-form-id"],
)
def test_unsafe_or_broken_xml_is_refused_and_stores_nothing(world, form, payload):
    response = Collect("reporter_a").submit(payload)
    assert response.status_code == 400
    assert b"passwd" not in response.content and b"lollol" not in response.content
    assert not Submission.objects.exists()


def test_head_and_post_need_the_openrosa_header(world, form):
    phone = Collect("reporter_a")
    phone.headers = {}
    assert phone.head().status_code == 400
    assert phone.submit(instance_xml()).status_code == 400
    assert not Submission.objects.exists()


def test_plain_http_is_refused_before_credentials_are_read(world, form):
    token = base64.b64encode(f"reporter_a:{TEST_PASSWORD}".encode()).decode()
    response = Client().get("/openrosa/minutest/formList", HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code == 403
    assert b"https" in response.content


def test_a_wrong_password_is_a_challenge_and_an_audited_failure(world, form):
    response = Collect("reporter_a", password="guess").get("/openrosa/minutest/formList")
    assert response.status_code == 401
    assert AuditEntry.objects.filter(action="login-failed", outcome=AuditOutcome.DENIED).exists()


def test_a_session_does_not_authenticate_openrosa(world, form):
    client = Client()
    client.force_login(world.reporter_at_a)
    assert client.get("/openrosa/minutest/formList", secure=True).status_code == 401


def test_a_collector_password_works_until_it_is_revoked(world, form):
    credential, secret = services.collector_credential_create(
        actor=world.reporter_at_a, name="Phone 3"
    )
    phone = Collect("reporter_a", password=secret)
    assert phone.get("/openrosa/minutest/formList").status_code == 200
    assert phone.submit(instance_xml()).status_code == 201
    # It is no password for pages or another person.
    assert not Client().login(username="reporter_a", password=secret)
    assert (
        Collect("reporter_b", password=secret).get("/openrosa/minutest/formList").status_code == 401
    )
    services.collector_credential_revoke(actor=world.reporter_at_a, credential_id=credential.pk)
    assert phone.get("/openrosa/minutest/formList").status_code == 401


def test_the_form_list_follows_scope_and_assignment(world, analyst_form_at_b):
    assert [f["formID"] for f in Collect("reporter_b").form_list()] == ["market_survey"]
    assert Collect("reporter_a").form_list() == []
    # People who may not collect get an empty list; other missions' people get nothing at all.
    assert Collect("planner").form_list() == []
    # A commander signs Collect in with a phone password (their own needs a second factor).
    _, other_phone = services.collector_credential_create(actor=world.other_commander, name="Phone")
    elsewhere = Collect("other_commander", password=other_phone)
    assert elsewhere.get("/openrosa/minutest/formList").status_code == 404
    assert Collect("outsider").get("/openrosa/minutest/formList").status_code == 404
    assert Collect("reporter_a").get("/openrosa/nowhere/formList").status_code == 404


@pytest.fixture
def analyst_form_at_b(world):
    from datetime import date

    version = services.form_upload(
        actor=world.analyst,
        mission_id=world.mission.pk,
        content=__import__("bluebox.assessment.tests.factories", fromlist=["xlsform"]).xlsform(
            form_id="market_survey", title="Market survey"
        ),
        filename="market.xlsx",
    )
    services.form_assign(
        actor=world.analyst,
        form_pk=version.form_id,
        opens_on=date(2020, 1, 1),
        closes_on=date(2099, 12, 31),
        site_id=world.site_b.pk,
    )
    return version


def test_a_reporter_cannot_submit_for_another_site_or_an_unassigned_one(world, analyst_form_at_b):
    phone = Collect("reporter_b")
    xml = instance_xml(form_id="market_survey", site="site-a")
    assert phone.submit(xml).status_code == 403
    # Reporter A may see the form but it is not collected at A.
    a_phone = Collect("reporter_a")
    assert a_phone.submit(instance_xml(form_id="market_survey")).status_code == 409
    assert not Submission.objects.exists()
    assert AuditEntry.objects.filter(outcome=AuditOutcome.DENIED, action="create").exists()


def test_a_form_hidden_from_the_phone_answers_like_a_missing_one(world, form):
    hidden = Collect("partner").submit(instance_xml())
    missing = Collect("partner").submit(instance_xml(form_id="no_such_form"))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_closed_forms_take_no_submissions_and_leave_the_list(world, form):
    services.form_set_status(actor=world.analyst, form_pk=form.form_id, status="closed")
    phone = Collect("reporter_a")
    assert phone.form_list() == []
    assert phone.submit(instance_xml()).status_code == 409


def test_an_unknown_form_version_is_refused(world, form):
    response = Collect("reporter_a").submit(instance_xml(version="1999"))
    assert response.status_code == 400
    assert b"version" in response.content


def test_a_request_larger_than_announced_is_refused(world, form, settings):
    settings.OPENROSA_MAX_REQUEST_BYTES = 2048
    response = Collect("reporter_a").submit(
        instance_xml(photo="big.jpg"), {"big.jpg": b"x" * 10_000}
    )
    assert response.status_code == 413
    assert not Submission.objects.exists()


def test_an_account_that_needs_a_second_factor_collects_only_with_a_phone_password(world, form):
    """Basic authentication carries no second factor: the commander's own password is refused
    (and audited); a password made for one phone still works."""
    commander = Collect("commissioner")
    assert commander.get("/openrosa/minutest/formList").status_code == 401
    refused = AuditEntry.objects.filter(action="login-refused", outcome=AuditOutcome.DENIED).get()
    assert refused.detail == {"channel": "openrosa", "reason": "second factor required"}
    _, secret = services.collector_credential_create(actor=world.commissioner, name="Phone 1")
    assert (
        Collect("commissioner", password=secret).get("/openrosa/minutest/formList").status_code
        == 200
    )


def test_attachments_are_stored_encrypted_at_rest(world, form):
    from django.db import connection

    photo = b"\xff\xd8 a respondent's face"
    Collect("reporter_a").submit(instance_xml(photo="face.jpg"), {"face.jpg": photo})
    stored = SubmissionAttachment.objects.get()
    assert stored.read() == photo and stored.size == len(photo)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed FROM assessment_submissionattachment")
        (raw,) = cursor.fetchone()
    # A Fernet token under the field keys: neither the bytes nor their base64 are in the row.
    assert raw.startswith("gAAAAA")
    assert base64.b64encode(photo).decode() not in raw and "face" not in raw
    assert str(stored.sealed) == "[protected]"

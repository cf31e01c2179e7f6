"""ODK Collect submissions replayed through the OpenRosa endpoint, against inserting the same rows.

Generates N distinct submissions (default 10,000) of the perception survey, as two phones (a
reporter at site A, one at site B, each signed in with a collector password) would send them:
a third carry a photo and a recording sent in two requests (XML + photo, then XML + recording,
the first marked ``*isIncomplete*``), the rest one request each; then a fifth of all requests are
sent again (a phone that lost the answer), and every request is shuffled (a second part may
arrive before the first). Each request goes through the whole stack in process — middleware,
Basic authentication, multipart parsing, defusedxml, ``submission_receive`` (idempotency on
the instanceID, attachments, scope, audit entry) — with Django's test client.

The baseline, measured in the same run and database, inserts the same rows directly
(``Submission`` and its ``SubmissionAttachment`` rows, files encrypted as stored, one
transaction per submission, no parsing, no checks, no audit) into another form.

Checks, then prints: 0 duplicates (one row per instanceID), 0 losses (every submission stored,
every attachment stored, every one complete), the answers to repeats (202) and the ratio of
the replay's time to the baseline's.

    .venv/bin/python bench/bench_survey_replay.py [--submissions 10000] [--quick]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_replay \\
        .venv/bin/python bench/bench_survey_replay.py
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any


def _setup(data_dir: str) -> None:
    from bluebox.config import datadir

    os.environ.setdefault("BLUEBOX_DATA_DIR", data_dir)
    # Development keys for the throwaway data directory (what `bluebox init` writes).
    datadir.ensure_layout(Path(data_dir))
    for spec in datadir.ALL_KEYS:
        if not os.environ.get(spec.env):
            datadir.write_key(Path(data_dir), spec, [datadir.new_secret(spec)])
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{data_dir}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bluebox.config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _world() -> Any:
    """A mission with a site in each of two sectors, an analyst and a reporter at each site."""
    from types import SimpleNamespace

    from bluebox.core.models import RoleAssignment, User
    from bluebox.core.roles import Role
    from bluebox.testing.factories import FieldSiteFactory, MissionFactory, SectorFactory

    mission = MissionFactory(code="minutest")
    w = SimpleNamespace(mission=mission)
    w.site_a = FieldSiteFactory(sector=SectorFactory(mission=mission), code="site-a")
    w.site_b = FieldSiteFactory(sector=SectorFactory(mission=mission), code="site-b")
    w.analyst = User.objects.create(username="analyst")
    RoleAssignment.objects.create(user=w.analyst, role=Role.ANALYST, mission=mission)
    for name, site in (("reporter_a", w.site_a), ("reporter_b", w.site_b)):
        user = User.objects.create(username=name)
        RoleAssignment.objects.create(user=user, role=Role.REPORTER, site=site, mission=mission)
        setattr(w, f"reporter_at_{name[-1]}", user)
    return w


def _requests(n: int, seed: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The requests two phones send for ``n`` submissions, with repeats, shuffled."""
    from bluebox.assessment.tests.factories import instance_xml

    rng = random.Random(seed)
    sent: list[dict[str, Any]] = []
    expected: dict[str, Any] = {}
    for k in range(n):
        phone = "reporter_a" if k % 2 == 0 else "reporter_b"
        site = "site-a" if phone == "reporter_a" else "site-b"
        iid = f"uuid:{uuid.UUID(int=rng.getrandbits(128))}"
        with_files = k % 3 == 0
        photo, voice = (f"{k}.jpg", f"{k}.m4a") if with_files else ("", "")
        xml = instance_xml(
            instance_id=iid,
            site=site,
            trust=rng.choice(["yes", "no"]),
            sex=rng.choice(["female", "male"]),
            age=rng.randrange(18, 80),
            photo=photo,
            voice=voice,
            weight=round(rng.uniform(0.5, 2.0), 3),
        )
        files = {photo: rng.randbytes(2048), voice: rng.randbytes(4096)} if with_files else {}
        expected[iid] = {"xml": xml, "files": files, "phone": phone}
        if with_files:
            sent.append({"phone": phone, "xml": xml, "files": {photo: files[photo]}, "part": 1})
            sent.append({"phone": phone, "xml": xml, "files": {voice: files[voice]}, "part": 2})
        else:
            sent.append({"phone": phone, "xml": xml, "files": {}, "part": 0})
    sent += [dict(r, repeat=True) for r in rng.sample(sent, len(sent) // 5)]
    rng.shuffle(sent)
    return sent, expected


def _replay(sent: list[dict[str, Any]], secrets: dict[str, str]) -> tuple[float, Counter[int]]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client()
    auth = {
        phone: "Basic " + base64.b64encode(f"{phone}:{secret}".encode()).decode()
        for phone, secret in secrets.items()
    }
    statuses: Counter[int] = Counter()
    start = time.perf_counter()
    for request in sent:
        data: dict[str, Any] = {
            "xml_submission_file": SimpleUploadedFile("instance.xml", request["xml"], "text/xml")
        }
        for name, content in request["files"].items():
            data[name] = SimpleUploadedFile(name, content, "application/octet-stream")
        if request["part"] == 1:
            data["*isIncomplete*"] = "yes"
        response = client.post(
            "/openrosa/minutest/submission?deviceID=collect%3Abench",
            data,
            secure=True,
            HTTP_X_OPENROSA_VERSION="1.0",
            HTTP_AUTHORIZATION=auth[request["phone"]],
        )
        statuses[response.status_code] += 1
    return time.perf_counter() - start, statuses


def _baseline(expected: dict[str, Any], form: Any, world: Any) -> float:
    """The same rows inserted directly: one transaction per submission, nothing checked."""
    from django.db import transaction
    from django.utils import timezone

    from bluebox.assessment import instances
    from bluebox.assessment.models import Submission, SubmissionAttachment

    version = form.versions.get()
    # Parsed beforehand: the baseline is the inserts alone.
    rows = [(instances.parse(e["xml"]), e) for e in expected.values()]
    users = {"reporter_a": world.reporter_at_a, "reporter_b": world.reporter_at_b}
    sites = {"reporter_a": world.site_a, "reporter_b": world.site_b}
    start = time.perf_counter()
    for parsed, e in rows:
        now = timezone.now()
        site = sites[e["phone"]]
        with transaction.atomic():
            submission = Submission.objects.create(
                form=form,
                version=version,
                mission=world.mission,
                sector_id=site.sector_id,
                site=site,
                instance_id="base:" + parsed.instance_id,
                xml=parsed.xml,
                xml_sha256=parsed.sha256,
                answers=parsed.answers,
                attachments_expected=sorted(e["files"]),
                complete=True,
                submitted_by=users[e["phone"]],
                device_id="collect:bench",
                received_at=now,
                round_label="2026 Q4",
            )
            for name, content in e["files"].items():
                SubmissionAttachment.objects.create(
                    submission=submission,
                    filename=name,
                    content_type="application/octet-stream",
                    sealed=SubmissionAttachment.seal(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                    size=len(content),
                    received_at=now,
                )
    return time.perf_counter() - start


def _verify(expected: dict[str, Any], form: Any) -> dict[str, int]:
    from bluebox.assessment.models import Submission, SubmissionAttachment

    stored = Counter(Submission.objects.filter(form=form).values_list("instance_id", flat=True))
    files = Counter(
        SubmissionAttachment.objects.filter(submission__form=form).values_list(
            "submission__instance_id", "filename"
        )
    )
    wanted = {(iid, name) for iid, e in expected.items() for name in e["files"]}
    return {
        "duplicates": sum(c - 1 for c in stored.values() if c > 1),
        "lost submissions": len(set(expected) - set(stored)),
        "unexpected submissions": len(set(stored) - set(expected)),
        "lost attachments": len(wanted - set(files)),
        "duplicate attachments": sum(c - 1 for c in files.values() if c > 1),
        "incomplete": Submission.objects.filter(form=form, complete=False).count(),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="1,000 submissions")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    n = 1_000 if args.quick else args.submissions
    with tempfile.TemporaryDirectory() as tmp:
        _setup(tmp)
        from bluebox.assessment import services
        from bluebox.assessment.tests.factories import collected_form

        world = _world()
        form = collected_form(world.analyst, world.mission).form
        baseline_form = collected_form(world.analyst, world.mission, form_id="baseline").form
        secrets = {
            "reporter_a": services.collector_credential_create(
                actor=world.reporter_at_a, name="Phone A"
            )[1],
            "reporter_b": services.collector_credential_create(
                actor=world.reporter_at_b, name="Phone B"
            )[1],
        }
        sent, expected = _requests(n, args.seed)
        repeats = sum(1 for r in sent if r.get("repeat"))
        attachments = sum(len(e["files"]) for e in expected.values())
        engine = "postgresql" if "postgres" in os.environ["DATABASE_URL"] else "sqlite"
        print(
            f"survey replay, database {engine}: {n:,} submissions, {attachments:,} attachments "
            f"(a third split over two requests), {len(sent):,} requests of which {repeats:,} "
            "repeats, in random order"
        )
        replay_s, statuses = _replay(sent, secrets)
        baseline_s = _baseline(expected, baseline_form, world)
        checks = _verify(expected, form)
    print(f"answers: {dict(sorted(statuses.items()))}")
    print("checks: " + ", ".join(f"{k} {v}" for k, v in checks.items()))
    print(f"{'':<34}{'seconds':>10}{'per second':>12}")
    print(
        f"{'replay through OpenRosa':<34}{replay_s:>10.1f}{len(sent) / replay_s:>12,.0f} requests"
    )
    print(
        f"{'baseline: direct inserts':<34}{baseline_s:>10.1f}{n / baseline_s:>12,.0f} submissions"
    )
    print(
        f"ratio replay / baseline (time): {replay_s / baseline_s:.1f} "
        f"({replay_s / n * 1000:.1f} ms against {baseline_s / n * 1000:.1f} ms per submission)"
    )
    failed = any(checks.values()) or set(statuses) - {201, 202}
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""``bluebox guide``: a rule document checked, proposed and asked from the shell; a bad document
is refused with every problem and a non-zero exit, and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluebox.cli import main
from bluebox.core.models import AuditEntry
from bluebox.guide.models import RuleVersion, VersionStatus
from bluebox.guide.tests.factories import approved, rule_document

pytestmark = pytest.mark.django_db

IN_FORCE = "2026-09-10"


@pytest.fixture
def ruled(world: Any) -> Any:
    approved(world.mission, world.commissioner)
    world.site_a.national_police_present = False
    world.site_a.save()
    world.site_b.national_police_present = True
    world.site_b.national_police_operational = True
    world.site_b.save()
    return world


def _write(tmp_path: Path, document: Any, name: str = "rules.yaml") -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return str(path)


def test_a_valid_document_is_described_and_nothing_is_written(world, tmp_path, capsys):
    path = _write(tmp_path, rule_document(world.mission))
    assert main(["guide", "check", path]) == 0
    out = capsys.readouterr().out
    assert "a valid rule document, version '2026-1' for mission 'minutest'" in out
    assert "in force from 2026-07-01 to open-ended" in out
    assert not RuleVersion.objects.exists()


def test_a_bad_document_is_refused_with_every_problem_and_its_place(world, tmp_path, capsys):
    document = rule_document(world.mission, valid_until="2026-01-01")
    document["rules"][0]["cite"].append({"document": "sop-2099", "paragraph": "1"})
    del document["rules"][1]["title"]["fr"]
    assert main(["guide", "check", _write(tmp_path, document)]) == 1
    err = capsys.readouterr().err
    assert "3 problem(s); nothing written" in err
    assert "rules[0].cite[2].document: 'sop-2099' is not in documents" in err
    assert "valid_until: before valid_from" in err
    assert "rules[1].title: no text in 'fr'" in err


def test_a_file_that_is_no_document_is_refused_with_where_it_stops(tmp_path, capsys):
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: bluebox-rules/1\nrules: [\n", encoding="utf-8")
    assert main(["guide", "check", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "The rule document is neither JSON nor YAML." in err
    assert "line 3, column 1:" in err
    assert main(["guide", "check", str(tmp_path / "absent.yaml")]) == 1
    assert "cannot be read" in capsys.readouterr().err


def test_propose_stores_a_version_awaiting_approval_audited_as_the_operator(world, tmp_path):
    path = _write(tmp_path, rule_document(world.mission))
    assert main(["guide", "propose", path, "--mission", "minutest"]) == 0
    version = RuleVersion.objects.get()
    assert version.status == VersionStatus.PROPOSED and version.proposed_by is None
    entry = AuditEntry.objects.get(action="rules-propose")
    assert entry.detail["via"].startswith("cli:")
    # The same document again changes nothing.
    assert main(["guide", "propose", path, "--mission", "minutest"]) == 0
    assert RuleVersion.objects.count() == 1


def test_propose_refuses_another_missions_document_and_writes_nothing(world, tmp_path, capsys):
    path = _write(tmp_path, rule_document(world.other_mission))
    assert main(["guide", "propose", path, "--mission", "minutest"]) == 1
    assert "mission: 'other' is not 'minutest'" in capsys.readouterr().err
    assert main(["guide", "propose", path, "--mission", "nowhere"]) == 2
    assert not RuleVersion.objects.exists()


def _ask(*extra: str) -> list[str]:
    return ["guide", "ask", "--mission", "minutest", "--action", "detain", "--on", IN_FORCE, *extra]


def test_ask_answers_yes_with_conditions_and_no_with_the_reason(ruled, capsys):
    assert main(_ask("--site", "site-a", "--host-request", "yes")) == 0
    out = capsys.readouterr().out
    assert out.startswith("Yes — Detain: allowed here, on these conditions.")
    assert "rules version 2026-1" in out and "paragraph 31(b)(iii)" in out
    assert main(_ask("--site", "site-b", "--host-request", "yes")) == 3
    out = capsys.readouterr().out
    assert out.startswith("No — ")
    assert "here: national police are present and operational" in out


def test_ask_reads_the_threat_and_answers_in_french_as_json(ruled, capsys):
    assert main(_ask("--site", "site-a", "--host-request", "yes", "--threat", "heavy")) == 3
    assert "green box" in capsys.readouterr().out
    args = _ask("--site", "site-a", "--host-request", "yes", "--lang", "fr", "--json")
    assert main(args) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["allowed"] is True and answer["rule_keys"][0] == "utm-arrest"
    assert answer["headline"].startswith("Oui")


def test_ask_a_draft_before_proposing_it(ruled, tmp_path, capsys):
    # A draft renewal that no longer lets the police detain at the host state's request alone.
    draft = rule_document(ruled.mission, version="2027-1")
    utm = next(r for r in draft["rules"] if r["key"] == "utm-arrest")
    utm["when"]["commander_order"] = True
    path = _write(tmp_path, draft)
    asked = _ask("--site", "site-a", "--host-request", "yes", "--rules", path)
    assert main(asked) == 3
    assert "rules version 2027-1" in capsys.readouterr().out
    assert main([*asked, "--commander-order", "yes"]) == 0
    assert RuleVersion.objects.count() == 1  # asking stores nothing


def test_ask_names_what_it_cannot_find(ruled, capsys):
    assert main(_ask("--site", "nowhere")) == 2
    assert "no field site 'nowhere'" in capsys.readouterr().err
    before_any = ["guide", "ask", "--mission", "minutest", "--site", "site-a", "--action", "detain"]
    assert main([*before_any, "--on", "2026-03-01"]) == 2
    assert "No version of the rules is in force on that day." in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(_ask("--site", "site-a", "--threat", "catastrophic"))

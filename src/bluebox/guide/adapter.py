"""Rule documents and versions into the guide engine's rule sets, field sites into situations."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import date
from functools import lru_cache
from typing import Any

import yaml

from bluebox.core.exceptions import ServiceError
from bluebox.engines.guide import RuleSet, Situation, parse
from bluebox.guide.models import RuleVersion
from bluebox.missions.models import FieldSite

MAX_DOCUMENT_BYTES = 512 * 1024


def canonical(document: dict[str, Any]) -> str:
    """The document as canonical JSON (what the digest covers)."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(document).encode("utf-8")).hexdigest()


@lru_cache(maxsize=256)
def _parsed(doc_digest: str, text: str) -> RuleSet:
    return parse(json.loads(text))


def ruleset_of(version: RuleVersion) -> RuleSet:
    """The engine's rule set for a stored version, with the dates the register holds (an
    approved renewal may have ended it before the end its document gave). Parsed once per
    document and process."""
    rules = _parsed(version.digest, canonical(version.document))
    return replace(rules, valid_from=version.valid_from, valid_until=version.valid_until)


def site_situation(site: FieldSite, action: str, on: date, **given: Any) -> Situation:
    """The situation at ``site``: what the officer gives, and the site's record for the rest
    (whether national police are present and operational there)."""
    facts: dict[str, Any] = {
        "site_kind": site.kind,
        "national_police_present": site.national_police_present,
        "national_police_operational": site.national_police_operational,
    }
    facts.update({k: v for k, v in given.items() if v is not None})
    return Situation(action=action, on=on, **facts)


def read_document(raw: bytes) -> Any:
    """A rule document from an upload or a file: JSON, or YAML (safe loader only)."""
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise ServiceError(
            "The rule document is too large.", field_errors={"document": ["At most 512 KiB."]}
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ServiceError(
            "The rule document is not UTF-8 text.", field_errors={"document": ["Not UTF-8."]}
        ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ServiceError(
            "The rule document is neither JSON nor YAML.",
            field_errors={"document": [_yaml_problem(exc)]},
        ) from exc


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """Where the YAML parser stopped and why (``line 4, column 1: expected ...``)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is None:
        return str(problem)
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"

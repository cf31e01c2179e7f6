"""Access matrix rows for the field guide (see bluebox.testing.matrix)."""

from __future__ import annotations

import io
from typing import Any

import yaml

from bluebox.guide.tests.factories import approved, proposed, rule_document
from bluebox.testing.matrix import MISSION_MEMBERS, Endpoint, allowed, everyone

READERS = MISSION_MEMBERS - {"partner"}
PROPOSERS = {"commissioner", "admin"}


def _versions(w: Any) -> None:
    w.version = approved(w.mission, w.commissioner)
    w.pending = proposed(w.mission, version="2027-1", valid_from="2027-07-01", valid_until=None)


def _pages(who: str) -> int:
    return 200 if who in READERS | {"other_commander"} else 403


def _upload(w: Any) -> dict[str, Any]:
    doc = rule_document(w.mission, version="2028-1", valid_from="2028-07-01", valid_until=None)
    f = io.BytesIO(yaml.safe_dump(doc, allow_unicode=True).encode())
    f.name = "rules.yaml"
    return {"mission": w.mission.pk, "document": f, "note": "renewal"}


A = "api/v1/guide/"
ENDPOINTS = [
    Endpoint(
        f"{A}answer/",
        "get",
        lambda w: f"/{A}answer/?site={w.site_a.pk}&action=detain&host_request=true&on=2026-09-10",
        allowed(READERS, 200, 404),
        setup=_versions,
    ),
    Endpoint(
        f"{A}bundle/",
        "get",
        lambda w: f"/{A}bundle/?lang=fr",
        allowed(READERS | {"other_commander"}, 200, 403),
        setup=_versions,
    ),
    Endpoint(f"{A}versions/", "get", lambda w: f"/{A}versions/", everyone(200), setup=_versions),
    Endpoint(
        f"{A}versions/<int:pk>/",
        "get",
        lambda w: f"/{A}versions/{w.pending.pk}/",
        allowed(READERS, 200, 404),
        setup=_versions,
    ),
    Endpoint(
        f"{A}versions/new/",
        "post",
        lambda w: f"/{A}versions/new/",
        allowed(PROPOSERS, 201, 404),
        body=lambda w: {
            "mission": w.mission.pk,
            "document": rule_document(
                w.mission, version="2028-1", valid_from="2028-07-01", valid_until=None
            ),
        },
    ),
    Endpoint(
        f"{A}versions/<int:pk>/approve/",
        "post",
        lambda w: f"/{A}versions/{w.pending.pk}/approve/",
        allowed({"commissioner"}, 200, 404),
        body=lambda w: {"note": "Renewal read and approved"},
        setup=_versions,
    ),
    Endpoint(
        f"{A}versions/<int:pk>/refuse/",
        "post",
        lambda w: f"/{A}versions/{w.pending.pk}/refuse/",
        allowed({"commissioner"}, 200, 404),
        body=lambda w: {"note": "Paragraph 31 misread"},
        setup=_versions,
    ),
    # Pages.
    Endpoint(
        "guide/",
        "get",
        lambda w: f"/guide/?site={w.site_a.pk}&action=detain&host_request=yes",
        lambda who: 200 if who in READERS else (400 if who == "other_commander" else 403),
        api=False,
        setup=_versions,
    ),
    Endpoint("guide/rules/", "get", lambda w: "/guide/rules/", _pages, api=False, setup=_versions),
    Endpoint(
        "guide/rules/<int:pk>/",
        "get",
        lambda w: f"/guide/rules/{w.pending.pk}/",
        allowed(READERS, 200, 404),
        api=False,
        setup=_versions,
    ),
    Endpoint(
        "guide/rules/new/",
        "post",
        lambda w: "/guide/rules/new/",
        allowed(PROPOSERS | {"other_commander"}, 302, 403),
        body=_upload,
        api=False,
    ),
    Endpoint(
        "guide/rules/<int:pk>/approve/",
        "post",
        lambda w: f"/guide/rules/{w.pending.pk}/approve/",
        allowed({"commissioner"}, 302, 404),
        body=lambda w: {"note": "Approved"},
        api=False,
        setup=_versions,
    ),
    Endpoint(
        "guide/rules/<int:pk>/refuse/",
        "post",
        lambda w: f"/guide/rules/{w.pending.pk}/refuse/",
        allowed({"commissioner"}, 302, 404),
        body=lambda w: {"note": "Refused"},
        api=False,
        setup=_versions,
    ),
]

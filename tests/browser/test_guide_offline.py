"""The field guide with no connection: the browser answers from the rules the phone keeps,
the same answers as the server's engine, and signing out takes the rules away."""

from __future__ import annotations

import itertools
import json
import random
from datetime import date
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.utils import translation

from bluebox.engines.guide import Situation, answer, parse
from bluebox.engines.guide.rules import ACTIONS, PHASES, SITE_KINDS, THREAT_LEVELS, TIERS
from bluebox.guide.demo import demo_document
from bluebox.guide.explain import bundle_words, bundled, worded
from bluebox.guide.tests.factories import approved
from bluebox.testing.browser import sign_in

pytestmark = [pytest.mark.browser]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
TRI = (None, True, False)


def _situations(on: date, n: int, seed: int) -> list[Situation]:
    """Every action at every threat level and state of the national police, then random
    draws over all the other facts."""
    rng = random.Random(seed)
    grid = itertools.product(ACTIONS, (None, *THREAT_LEVELS), TRI, TRI)
    out = [
        Situation(
            action=a, on=on, threat=t, national_police_present=p, national_police_operational=o
        )
        for a, t, p, o in grid
    ]
    for _ in range(n):
        out.append(
            Situation(
                action=rng.choice(ACTIONS),
                on=on,
                site_kind=rng.choice((None, *SITE_KINDS)),
                national_police_present=rng.choice(TRI),
                national_police_operational=rng.choice(TRI),
                host_request=rng.choice(TRI),
                threat=rng.choice((None, *THREAT_LEVELS)),
                imminent_threat=rng.choice(TRI),
                hrddp_cleared=rng.choice(TRI),
                commander_order=rng.choice(TRI),
                phase=rng.choice((None, *PHASES)),
                tier=rng.choice((None, *TIERS)),
            )
        )
    return out


def _as_js(s: Situation) -> dict[str, Any]:
    return {k: v for k, v in vars(s).items() if k != "legal_basis"} | {"on": s.on.isoformat()}


@pytest.mark.parametrize(
    ("document", "on", "lang"),
    [
        ("minuvar-2025.yaml", date(2025, 9, 1), "en"),
        ("minuvar-2026.yaml", date(2026, 9, 10), "en"),
        ("minuvar-2026.yaml", date(2026, 9, 10), "fr"),
        ("minuvar-2026.yaml", date(2026, 9, 10), "ar"),
    ],
)
def test_the_browser_answers_as_the_engine(browser: Any, document: str, on: date, lang: str):
    rules = parse(demo_document(document))
    situations = _situations(on, 1500, seed=len(document) + on.year)
    with translation.override(lang):
        kept, words = bundled(rules, lang), bundle_words()
        expected = []
        for s in situations:
            got = answer(rules, s, lang=lang)
            w = worded(rules, got, lang)
            expected.append(
                {
                    "allowed": got.allowed,
                    "rule_keys": list(got.rule_keys),
                    "also": [a.key for a in got.also],
                    "near": [a.key for a in got.near],
                    "cites": [f"{c.document}:{c.paragraph}" for c in got.citations],
                    "custody": got.custody.as_settings() if got.custody else None,
                    "hand_to_military": got.hand_to_military,
                    "headline": w.headline,
                    "reasons": list(w.reasons),
                    "conditions": list(w.conditions),
                    "steps": list(w.steps),
                    "limits": list(w.limits),
                    "citations": list(w.citations),
                }
            )
    assert {e["allowed"] for e in expected} == {True, False}
    page = browser.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(path=str(finders.find("field/guide.js")))
    actual = page.evaluate(
        """([rules, words, situations]) => situations.map((s) => {
          const r = blueboxGuide.answer(rules, s);
          const w = blueboxGuide.worded(r, s.action, words);
          return { allowed: r.allowed, rule_keys: w.rule_keys,
            also: r.also.map((a) => a.rule.key), near: r.near.map((a) => a.rule.key),
            cites: r.citations.map((c) => c.key), custody: r.custody,
            hand_to_military: r.hand_to_military, headline: w.headline, reasons: w.reasons,
            conditions: w.conditions, steps: w.steps, limits: w.limits, citations: w.citations };
        })""",
        [kept, words, [_as_js(s) for s in situations]],
    )
    page.close()
    for s, want, got in zip(situations, expected, actual, strict=True):
        assert got == want, f"{s}: browser {json.dumps(got)} != engine {json.dumps(want)}"


def _guide(page: Any, site: Any, host_request: str) -> None:
    page.click("#tab-guide")
    page.select_option("#g-site", str(site.pk))
    page.select_option("#g-action", "detain")
    page.select_option("#g-host", host_request)
    page.click("#g-ask")
    page.wait_for_selector("#g-verdict[data-allowed]")


META = """(run) => new Promise((ok) => { const r = indexedDB.open('bluebox-field', 1);
  r.onsuccess = () => { const q = run(r.result.transaction('meta').objectStore('meta'));
  q.onsuccess = () => { ok(q.result); r.result.close(); }; }; })"""


def _kept_names(page: Any) -> list[str]:
    return page.evaluate(f"({META})((s) => s.getAllKeys())")


@pytest.mark.django_db(transaction=True)
def test_offline_the_guide_answers_from_the_kept_rules_until_sign_out(
    live_server, browser, screenshots, world, page_errors
):
    approved(world.mission, world.commissioner)
    world.site_a.national_police_present = False
    world.site_a.national_police_operational = False
    world.site_a.save()
    phone = browser.new_context(**PHONE)
    page = page_errors.watch(phone.new_page())
    sign_in(page, live_server.url, "reporter_a")
    page.goto(f"{live_server.url}/field/")
    page.wait_for_selector("#field-app[data-ready=true][data-offline-ready=true]")
    assert f"guide:{world.reporter_at_a.pk}" in _kept_names(page)
    # Sealed: the kept rules are ciphertext, no rule title in clear.
    kept = page.evaluate(f"({META})((s) => s.get('guide:{world.reporter_at_a.pk}'))")
    sealed = bytes(kept["ct"]).decode("latin-1")
    assert set(kept) == {"name", "iv", "ct"}
    assert "utm-arrest" not in sealed and "paragraph" not in sealed

    phone.set_offline(True)
    page.reload()
    page.wait_for_selector("#field-app[data-ready=true]")
    assert page.get_attribute("#connection", "data-online") == "false"
    _guide(page, world.site_a, "true")
    assert page.get_attribute("#g-verdict", "data-allowed") == "yes"
    assert page.inner_text("#g-verdict").startswith("Yes")
    assert "national police absent or not operational" in page.inner_text("#g-conditions")
    assert "72 hours" in page.inner_text("#g-limits")
    assert "paragraph 31(b)(iii)" in page.inner_text("#g-citations")
    assert "Rules as of" in page.inner_text("#g-asof") and "UTC" in page.inner_text("#g-asof")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshots / "field-guide-offline-yes.png"), full_page=True)
    # What the officer sees overrides the site's record: national police are there after all.
    page.select_option("#g-present", "true")
    page.select_option("#g-operational", "true")
    page.click("#g-ask")
    page.wait_for_selector("#g-verdict[data-allowed=no]")
    assert "here: national police are present and operational" in page.inner_text("#g-reasons")
    assert "paragraph 31(b)(iii)" in page.inner_text("#g-citations")

    # Signed out (connected again): the kept rules are gone, offline there is nothing to ask.
    phone.set_offline(False)
    page.goto(f"{live_server.url}/")
    with page.expect_navigation():  # the form is sent once the phone has dropped the key
        page.click("form[data-forget-field-key] button")
    assert page.evaluate("fetch('/api/v1/field/session/').then((r) => r.status)") == 401
    phone.set_offline(True)
    page.goto(f"{live_server.url}/field/")
    page.wait_for_selector("#field-app[data-ready=true]")
    assert not [n for n in _kept_names(page) if n.startswith("guide:")]
    page.click("#tab-guide")
    assert page.get_attribute("#guide-form", "data-rules") == "none"
    assert page.is_disabled("#g-ask")
    phone.close()

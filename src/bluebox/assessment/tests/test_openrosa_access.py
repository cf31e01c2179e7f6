"""Role × OpenRosa endpoint with the credentials ODK Collect sends (Basic over TLS).

Every person of the ``world`` fixture, every OpenRosa route: people outside the mission's
surveys get the answer of a mission that does not exist; a form someone may not collect
answers like a missing one; anonymous requests get the Basic challenge.
"""

from __future__ import annotations

import pytest

from bluebox.assessment import services
from bluebox.assessment.tests.access_matrix import COLLECTORS, VIEWERS
from bluebox.assessment.tests.factories import collected_form, instance_xml
from bluebox.assessment.tests.test_openrosa import Collect
from bluebox.core import mfa
from bluebox.core.exceptions import NotPermitted
from bluebox.testing.matrix import PEOPLE

SUBMITS_AT_A = {"commissioner", "reporter_at_a", "analyst", "east_analyst"}


def _expect(route: str, who: str) -> int:
    if who not in VIEWERS:
        return 404
    if route == "formList":
        return 200
    if route == "head":
        return 204
    if route in ("form.xml", "manifest"):
        return 200 if who in COLLECTORS else 404
    if route == "media":
        return 404  # the form has no media file
    if route == "post":
        return 201 if who in SUBMITS_AT_A else 403
    raise AssertionError(route)


@pytest.mark.parametrize("route", ["formList", "form.xml", "manifest", "media", "head", "post"])
@pytest.mark.parametrize("who", PEOPLE)
def test_openrosa_role_by_endpoint(world, who, route):
    version = collected_form(world.analyst, world.mission)
    person = getattr(world, who)
    expected = _expect(route, who)
    phone = Collect(person.username)
    if mfa.asks_second_factor(person):  # their own password alone is refused to Collect
        try:
            _, secret = services.collector_credential_create(actor=person, name="Phone")
        except NotPermitted:  # nothing to collect, so no phone password: the challenge again
            expected = 401
        else:
            phone = Collect(person.username, password=secret)
    base = f"/openrosa/minutest/forms/poc_perception/{version.version}/"
    if route == "head":
        response = phone.head()
    elif route == "post":
        response = phone.submit(instance_xml(site="site-a"))
    elif route == "media":
        response = phone.get(base + "media/x.png")
    else:
        response = phone.get("/openrosa/minutest/formList" if route == "formList" else base + route)
    assert response.status_code == expected, (who, route, response.content[:200])


@pytest.mark.parametrize("route", ["formList", "submission"])
def test_anonymous_gets_the_challenge(world, route):
    collected_form(world.analyst, world.mission)
    phone = Collect("nobody")
    phone.auth = {}
    response = phone.get(f"/openrosa/minutest/{route}") if route == "formList" else phone.head()
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")

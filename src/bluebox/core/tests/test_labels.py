"""Codes read as translated words wherever they show (weapons, tasks, slots, site kinds)."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from bluebox.core import labels


def test_codes_become_words_in_english_and_french():
    assert labels.joined(["small_arms", "rpg", "ied"], "weapon") == (
        "Small arms, Rocket-propelled grenade, Improvised explosive device"
    )
    assert labels.slot("mon-morning") == "Monday morning"
    assert labels.label("poc_site", "site_kind") == "POC site"
    assert labels.label("3", "day") == "Wednesday"
    with translation.override("fr"):
        assert labels.slot("mon-morning").lower() == "lundi matin"
        assert labels.label("crowd_control", "task") == "Contrôle des foules"
        assert labels.language("en").lower() == "anglais"


def test_an_unknown_code_is_shown_in_plain_words_never_blank():
    assert labels.label("water_cannon", "weapon") == "Water cannon"
    assert labels.label("", "weapon") == ""


def test_the_template_filters():
    out = Template('{% load labels %}{{ w|labels:"weapon" }} · {{ s|label:"slot" }}').render(
        Context({"w": ["blade", "fire"], "s": "sun-night"})
    )
    assert out == "Knife or machete, Fire · Sunday night"

"""Words for the codes that records store: one translated label per code, wherever it shows.

Records keep stable codes (``small_arms``, ``crowd_control``, ``poc_site``); people read words.
A vocabulary maps each code of one kind to its translated label. Vocabularies that several apps
share live here; an app registers the ``TextChoices`` it owns (``register("site_kind",
SiteKind)``) so that a code stored in a JSON document (a plan, a caveat's parameters) reads the
same as the model field's ``get_..._display``. Templates use the ``labels`` library:
``{{ code|label:"weapon" }}`` and ``{{ codes|labels:"skill" }}``.

An unknown code is shown with its underscores as spaces, never as a blank: a label missing here
is a defect to fix, not a reason to hide what the record says.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

Label = str | Promise

WEAPONS: dict[str, Label] = {
    "none": _("No weapon"),
    "blade": _("Knife or machete"),
    "blunt": _("Blunt object"),
    "fire": _("Fire"),
    "small_arms": _("Small arms"),
    "automatic_rifle": _("Automatic rifle"),
    "heavy_machine_gun": _("Heavy machine gun"),
    "rpg": _("Rocket-propelled grenade"),
    "mortar": _("Mortar"),
    "artillery": _("Artillery"),
    "rocket": _("Rocket"),
    "explosive": _("Explosive"),
    "ied": _("Improvised explosive device"),
    "armoured_vehicle": _("Armoured vehicle"),
    "aircraft": _("Aircraft"),
    "drone": _("Drone"),
}
TASKS: dict[str, Label] = {
    "patrol": _("Patrols"),
    "joint_patrol": _("Joint patrols"),
    "detention": _("Detention"),
    "camp_security": _("Camp security"),
    "crowd_control": _("Crowd control"),
    "static_guard": _("Static guard"),
    "public_order": _("Public order"),
}
SKILLS: dict[str, Label] = {
    "investigation": _("Investigation"),
    "forensics": _("Forensics"),
    "sgbv": _("Sexual and gender-based violence"),
    "community_policing": _("Community policing"),
    "planning": _("Planning"),
    "training": _("Training"),
    "serious_crime": _("Serious and organised crime"),
    "public_order": _("Public order management"),
}
DAYS: dict[str, Label] = {
    "mon": _("Monday"),
    "tue": _("Tuesday"),
    "wed": _("Wednesday"),
    "thu": _("Thursday"),
    "fri": _("Friday"),
    "sat": _("Saturday"),
    "sun": _("Sunday"),
}

# ISO weekdays (1 = Monday), as team rosters store them.
DAYS.update({str(n): DAYS[d] for n, d in enumerate(DAYS, start=1)})

_VOCABULARIES: dict[str, Mapping[str, Label]] = {
    "weapon": WEAPONS,
    "task": TASKS,
    "skill": SKILLS,
    "day": DAYS,
}


def register(vocabulary: str, choices: Any) -> None:
    """Make a ``TextChoices`` class (or a code -> label mapping) the vocabulary of that name."""
    if isinstance(choices, Mapping):
        _VOCABULARIES[vocabulary] = dict(choices)
    else:
        _VOCABULARIES[vocabulary] = dict(choices.choices)


def _plain(code: str) -> str:
    return code.replace("_", " ").replace("-", " ").strip().capitalize()


def language(code: str) -> str:
    """A language's name in the reader's language (``fr`` -> "French" / "français")."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def label(code: Any, vocabulary: str) -> str:
    """The translated label of one code; the code in plain words when the vocabulary lacks it."""
    if code is None or code == "":
        return ""
    code = str(code)
    if vocabulary == "language":
        return language(code)
    if vocabulary == "slot":
        return slot(code)
    words = _VOCABULARIES.get(vocabulary, {}).get(code)
    return str(words) if words is not None else _plain(code)


def labels(codes: Iterable[Any] | None, vocabulary: str) -> list[str]:
    return [label(c, vocabulary) for c in (codes or [])]


def joined(codes: Iterable[Any] | None, vocabulary: str, sep: str = ", ") -> str:
    return sep.join(labels(codes, vocabulary))


def slot(code: str) -> str:
    """A patrol slot ``mon-morning`` as "Monday morning" (the day, then the shift in words)."""
    day, _sep, shift = str(code).partition("-")
    day_words = label(day, "day")
    if not shift:
        return day_words
    return f"{day_words} {label(shift, 'shift').lower()}"

"""Guessing the type and place of a community alert from its words (English and French).

Transparent on purpose: the triage officer sees which keyword and which gazetteer entry matched,
and corrects the guess when it is wrong. Text is compared without accents and case, word by
word, so "Bambari", "BAMBARI" and "bambari," all match; "tué" and "tue" too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# incident type -> keywords (English and French), most specific types first.
KEYWORDS: list[tuple[str, tuple[str, ...]]] = [
    (
        "sgbv",
        (
            "rape",
            "raped",
            "sexual",
            "viol",
            "violee",
            "viole",
            "violees",
            "violes",
            "agression sexuelle",
        ),
    ),
    (
        "abduction",
        (
            "abducted",
            "kidnapped",
            "kidnap",
            "abduction",
            "enleve",
            "enlevee",
            "enleves",
            "enlevees",
            "enlevement",
            "kidnappe",
            "otage",
            "hostage",
        ),
    ),
    (
        "attack_on_site",
        (
            "camp attacked",
            "attack on the camp",
            "attaque du camp",
            "site attaque",
            "idp camp",
            "camp de deplaces",
        ),
    ),
    (
        "killing",
        (
            "killed",
            "dead",
            "murder",
            "murdered",
            "shot dead",
            "tue",
            "tues",
            "tuee",
            "tuees",
            "mort",
            "morts",
            "assassine",
            "cadavre",
            "body",
            "bodies",
        ),
    ),
    (
        "roadblock",
        (
            "roadblock",
            "checkpoint",
            "barrier",
            "extortion",
            "barriere",
            "barrage",
            "racket",
            "taxe illegale",
        ),
    ),
    (
        "armed_robbery",
        (
            "robbery",
            "robbed",
            "armed robbers",
            "braquage",
            "vol a main armee",
            "braque",
            "coupeurs de route",
        ),
    ),
    (
        "looting",
        (
            "looting",
            "looted",
            "pillage",
            "pille",
            "pillent",
        ),
    ),
    (
        "arson",
        (
            "burned",
            "burning",
            "set fire",
            "arson",
            "brule",
            "brulee",
            "brulees",
            "brules",
            "brulent",
            "incendie",
        ),
    ),
    (
        "intercommunal_clash",
        (
            "clash",
            "clashes",
            "fighting between",
            "communities",
            "affrontement",
            "affrontements",
            "bagarre",
            "conflit",
        ),
    ),
    (
        "armed_clash",
        (
            "gunfire",
            "shooting",
            "shots",
            "fusillade",
            "tirs",
            "coups de feu",
            "combats",
            "fighting",
        ),
    ),
    (
        "threat",
        (
            "threat",
            "threatened",
            "intimidation",
            "menace",
            "menaces",
            "menacent",
            "warning",
            "armed men",
            "hommes armes",
        ),
    ),
]


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " " + re.sub(r"[^a-z0-9]+", " ", plain.lower()).strip() + " "


@dataclass(frozen=True)
class Place:
    name: str
    aliases: tuple[str, ...]
    latitude: float | None
    longitude: float | None
    site_id: int | None = None
    sector_id: int | None = None


@dataclass(frozen=True)
class Guess:
    incident_type: str
    type_keyword: str
    place: Place | None
    place_word: str
    language: str

    @property
    def reason(self) -> str:
        parts = []
        if self.incident_type:
            parts.append(f"type {self.incident_type} from the word {self.type_keyword!r}")
        if self.place is not None:
            parts.append(f"place {self.place.name!r} from {self.place_word!r}")
        return "; ".join(parts) or "no keyword or place recognised"


FRENCH_MARKERS = (" le ", " la ", " les ", " des ", " est ", " sont ", " dans ", " au ", " une ")


def guess(text: str, places: Iterable[Place]) -> Guess:
    norm = normalise(text)
    incident_type, keyword = "", ""
    for candidate, words in KEYWORDS:
        hit = next((w for w in words if f" {normalise(w).strip()} " in norm), None)
        if hit:
            incident_type, keyword = candidate, hit
            break
    best: tuple[int, Place, str] | None = None
    for place in places:
        for name in (place.name, *place.aliases):
            key = normalise(name).strip()
            if key and f" {key} " in norm and (best is None or len(key) > best[0]):
                best = (len(key), place, name)
    language = "fr" if sum(marker in norm for marker in FRENCH_MARKERS) >= 2 else "en"
    return Guess(
        incident_type=incident_type,
        type_keyword=keyword,
        place=best[1] if best else None,
        place_word=best[2] if best else "",
        language=language,
    )


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' word sets (0..1)."""
    wa, wb = set(normalise(a).split()), set(normalise(b).split())
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)

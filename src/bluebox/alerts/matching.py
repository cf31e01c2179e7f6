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


#: How a kind of site is named, in English (to find the proper name in the site's name) and in
#: French (to recognise "au marché de Mabe" as the site "Mabe market"). ``{}`` is the name.
KIND_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "market": (("market",), ("marche de {}", "marche {}", "marche du {}")),
    "idp_camp": (
        ("idp camp", "camp"),
        (
            "camp de deplaces de {}",
            "camp des deplaces de {}",
            "camp de {}",
            "camp {}",
            "site de {}",
        ),
    ),
    "poc_site": (
        ("poc site",),
        ("site de protection de {}", "site de protection des civils de {}", "site poc de {}"),
    ),
    "police_station": (
        ("police station",),
        ("commissariat de {}", "poste de police de {}", "commissariat {}", "gendarmerie de {}"),
    ),
    "team_site": (("team site",), ("base d equipe de {}", "site d equipe de {}")),
    "base": (("base",), ("base de {}", "camp militaire de {}")),
}


def site_aliases(name: str, kind: str) -> tuple[str, ...]:
    """Other ways people name a field site: its proper name, and the French for its kind.

    "Mabe market" is also "Mabe", "marché de Mabe" and "marché Mabe"; "Korrin IDP camp" is
    "Korrin", "camp de déplacés de Korrin"... The longest match wins in :func:`guess`, so the
    bare proper name only counts where nothing longer matched.
    """
    english, french = KIND_WORDS.get(kind, ((), ()))
    proper = normalise(name).strip()
    for word in english:
        key = normalise(word).strip()
        if proper.endswith(" " + key):
            proper = proper[: -len(key) - 1].strip()
            break
    if not proper or proper == normalise(name).strip():
        return tuple(pattern.format(proper) for pattern in french) if proper else ()
    return (proper, *(pattern.format(proper) for pattern in french))


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

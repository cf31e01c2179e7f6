"""OASIS CAP 1.2 documents and an Atom feed of published early-warning alerts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import translation
from lxml import etree

from bluebox.alerts.models import CapAlert
from bluebox.core import words

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "cap-1.2.xsd"
SENDER_DOMAIN = "bluebox.invalid"


def cap_time(value: datetime) -> str:
    """CAP dateTime: seconds, explicit offset, never "Z"."""
    text = value.replace(microsecond=0).isoformat()
    return text[:-1] + "+00:00" if text.endswith("Z") else text


def sender(cap: CapAlert) -> str:
    return f"{cap.mission.code}@{SENDER_DOMAIN}"


def sent_at(cap: CapAlert) -> datetime:
    return cap.published_at or cap.created_at


def _sub(parent: etree._Element, name: str, text: str | None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CAP_NS}}}{name}")
    if text is not None:
        element.text = text
    return element


def cap_element(cap: CapAlert) -> etree._Element:
    alert = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(alert, "identifier", cap.identifier)
    _sub(alert, "sender", sender(cap))
    _sub(alert, "sent", cap_time(sent_at(cap)))
    _sub(alert, "status", cap.status if cap.state == CapAlert.State.PUBLISHED else "Draft")
    _sub(alert, "msgType", cap.msg_type)
    _sub(alert, "source", f"bluebox {cap.mission.code}")
    _sub(alert, "scope", cap.scope)
    if cap.scope == "Restricted":
        _sub(alert, "restriction", cap.restriction)
    if cap.scope == "Private" or cap.addresses:
        _sub(alert, "addresses", cap.addresses)
    if cap.references is not None:
        ref = cap.references
        _sub(alert, "references", f"{sender(ref)},{ref.identifier},{cap_time(sent_at(ref))}")
    _info(_sub(alert, "info", None), cap, cap.language, {})
    for code in info_languages(cap)[1:]:
        with translation.override(code):
            said = {k: words.render(v) for k, v in cap.texts.items()}
        _info(_sub(alert, "info", None), cap, code, said)
    return alert


def info_languages(cap: CapAlert) -> list[str]:
    """The languages of the alert's <info> blocks: its own first, then every other language of
    the mission the interface speaks, when the product wrote the words (``cap.texts``); an
    alert typed by a person has one, in the language it was typed in."""
    if not cap.texts:
        return [cap.language]
    offered = {code for code, _name in settings.LANGUAGES}
    mission = [c for c in (cap.mission.settings or {}).get("languages", []) if c in offered]
    return list(dict.fromkeys([cap.language, *mission]))


def _info(info: etree._Element, cap: CapAlert, language: str, said: dict[str, str]) -> None:
    """One <info>; ``said`` holds the words in ``language`` (none: the alert's own fields)."""
    _sub(info, "language", language)
    _sub(info, "category", cap.category)
    _sub(info, "event", said.get("event", cap.event))
    for response_type in cap.response_types or []:
        _sub(info, "responseType", response_type)
    _sub(info, "urgency", cap.urgency)
    _sub(info, "severity", cap.severity)
    _sub(info, "certainty", cap.certainty)
    if cap.effective:
        _sub(info, "effective", cap_time(cap.effective))
    if cap.expires:
        _sub(info, "expires", cap_time(cap.expires))
    _sub(info, "senderName", cap.mission.name)
    _sub(info, "headline", said.get("headline", cap.headline)[:160])
    description = said.get("description", cap.description)
    if description:
        _sub(info, "description", description)
    if cap.instruction:
        _sub(info, "instruction", cap.instruction)
    if cap.web:
        _sub(info, "web", cap.web)
    if cap.contact:
        _sub(info, "contact", cap.contact)
    area = _sub(info, "area", None)
    _sub(area, "areaDesc", cap.area_desc)
    if cap.polygon:
        points = [f"{lat:g},{lon:g}" for lat, lon in cap.polygon]
        if points[0] != points[-1]:
            points.append(points[0])
        _sub(area, "polygon", " ".join(points))
    if cap.latitude is not None and cap.longitude is not None:
        _sub(area, "circle", f"{cap.latitude:g},{cap.longitude:g} {cap.radius_km or 0:g}")


def cap_xml(cap: CapAlert) -> bytes:
    return bytes(
        etree.tostring(cap_element(cap), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    )


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def validate(document: bytes) -> list[str]:
    """Errors of a CAP document against the CAP 1.2 schema (empty when valid)."""
    checker = schema()
    tree = etree.fromstring(
        document, parser=etree.XMLParser(resolve_entities=False, no_network=True)
    )
    if checker.validate(tree):
        return []
    return [str(error) for error in checker.error_log]


def atom_feed(
    alerts: Iterable[CapAlert], *, feed_url: str, entry_url: str, updated: datetime
) -> bytes:
    """An Atom feed with each alert's CAP document inside its entry (``<content
    type="application/cap+xml">``, as CAP feed readers expect) and linked; ``entry_url`` holds
    ``{pk}`` for each alert's CAP document."""
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    etree.SubElement(feed, f"{{{ATOM_NS}}}id").text = feed_url
    etree.SubElement(feed, f"{{{ATOM_NS}}}title").text = "bluebox early-warning alerts"
    etree.SubElement(feed, f"{{{ATOM_NS}}}updated").text = cap_time(updated)
    etree.SubElement(feed, f"{{{ATOM_NS}}}link", rel="self", href=feed_url)
    for cap in alerts:
        entry = etree.SubElement(feed, f"{{{ATOM_NS}}}entry")
        etree.SubElement(entry, f"{{{ATOM_NS}}}id").text = cap.identifier
        etree.SubElement(entry, f"{{{ATOM_NS}}}title").text = cap.headline
        etree.SubElement(entry, f"{{{ATOM_NS}}}updated").text = cap_time(sent_at(cap))
        author = etree.SubElement(entry, f"{{{ATOM_NS}}}author")
        etree.SubElement(author, f"{{{ATOM_NS}}}name").text = cap.mission.name
        etree.SubElement(
            entry, f"{{{ATOM_NS}}}summary"
        ).text = f"{cap.status} · {cap.severity} · {cap.area_desc}"
        etree.SubElement(
            entry,
            f"{{{ATOM_NS}}}link",
            rel="alternate",
            type="application/cap+xml",
            href=entry_url.format(pk=cap.pk),
        )
        content = etree.SubElement(entry, f"{{{ATOM_NS}}}content", type="application/cap+xml")
        content.append(cap_element(cap))
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True))

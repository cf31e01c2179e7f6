"""Submission XML (an XForm instance) read safely, and the OpenRosa answers bluebox gives.

Every byte of a submission comes from a phone, so it is parsed by defusedxml with DTDs,
entities and external references refused: an XXE or "billion laughs" document is a
:class:`InstanceError`, never an expansion. The instance's root names the form (``id``) and its
version; ``meta/instanceID`` names the submission and ``meta/deprecatedID`` the one it edits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

MAX_INSTANCE_BYTES = 2 * 1024 * 1024
MAX_ANSWERS = 5000
OPENROSA_NS = "http://openrosa.org/http/response"


class InstanceError(ValueError):
    """The submission is not a readable XForm instance (or tried something unsafe)."""


@dataclass(frozen=True)
class Instance:
    form_id: str
    version: str
    instance_id: str
    deprecated_id: str
    answers: dict[str, str]
    sha256: str
    xml: str


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _flatten(element: Element, prefix: str, out: dict[str, str]) -> None:
    seen: dict[str, int] = {}
    for child in element:
        name = _local(child.tag)
        if not prefix and name == "meta":
            continue
        seen[name] = seen.get(name, 0) + 1
        key = f"{prefix}{name}" if seen[name] == 1 else f"{prefix}{name}[{seen[name]}]"
        if len(child):
            _flatten(child, f"{key}/", out)
        else:
            out[key] = (child.text or "").strip()
        if len(out) > MAX_ANSWERS:
            raise InstanceError(f"More than {MAX_ANSWERS} answers in one submission.")


def _meta(root: Element, name: str) -> str:
    for element in root.iter():
        if _local(element.tag) == name and element.text:
            return element.text.strip()
    return ""


def parse(content: bytes) -> Instance:
    """Read a submission; :class:`InstanceError` for anything unreadable or unsafe."""
    if len(content) > MAX_INSTANCE_BYTES:
        raise InstanceError("The submission XML is larger than 2 MB.")
    try:
        root = SafeElementTree.fromstring(
            content, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise InstanceError("Document type declarations and entities are refused.") from exc
    except SafeElementTree.ParseError as exc:
        raise InstanceError(f"The submission is not well-formed XML ({exc}).") from exc
    form_id = (root.get("id") or "").strip()
    if not form_id:
        raise InstanceError("The submission's root element has no form id attribute.")
    instance_id = _meta(root, "instanceID") or (root.get("instanceID") or "").strip()
    if not instance_id:
        raise InstanceError("The submission has no meta/instanceID.")
    if len(instance_id) > 128:
        raise InstanceError("The instanceID is longer than 128 characters.")
    answers: dict[str, str] = {}
    _flatten(root, "", answers)
    return Instance(
        form_id=form_id[:64],
        version=(root.get("version") or "").strip()[:64],
        instance_id=instance_id,
        deprecated_id=_meta(root, "deprecatedID")[:128],
        answers=answers,
        sha256=hashlib.sha256(content).hexdigest(),
        xml=content.decode("utf-8", errors="replace"),
    )


def response(message: str, *, nature: str = "") -> str:
    """The OpenRosa response body ODK Collect shows its user."""
    attr = f' nature="{escape(nature)}"' if nature else ""
    return (
        f'<OpenRosaResponse xmlns="{OPENROSA_NS}">'
        f"<message{attr}>{escape(message)}</message></OpenRosaResponse>"
    )

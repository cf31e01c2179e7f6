"""XLSForm to XForm with pyxform, and the facts about a form that bluebox keeps.

pyxform's messages name the row (``[row : 4]``) and usually the sheet; :func:`convert` turns
each into ``{"sheet", "row", "message"}`` so the upload page can show where to look. Nothing
here touches the database: :mod:`bluebox.assessment.services` calls it and stores the result.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from defusedxml import ElementTree
from pyxform import xls2xform
from pyxform.errors import PyXFormError
from pyxform.xls2json_backends import get_xlsform

MAX_XLSFORM_BYTES = 5 * 1024 * 1024
_ROW = re.compile(r"\[row\s*:\s*(\d+)\]", re.IGNORECASE)
_SHEETS = ("survey", "choices", "settings", "external_choices", "entities")
_ITEXT_NS = "{http://www.w3.org/2002/xforms}"
# Question types whose answer is a file sent beside the submission.
BINARY_TYPES = frozenset(
    {"photo", "image", "audio", "video", "file", "background-audio", "signature"}
)
# Structure and metadata, not questions.
_NOT_QUESTIONS = frozenset({"group", "repeat", "survey", "note"})


@dataclass(frozen=True)
class FormProblem:
    sheet: str
    row: int | None
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "message": self.message}


class XLSFormError(Exception):
    """pyxform refused the file; ``problems`` say where."""

    def __init__(self, problems: list[FormProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass
class ConvertedForm:
    form_id: str
    title: str
    version: str
    xform: str
    md5: str
    languages: list[str]
    questions: list[dict[str, Any]]
    media_expected: list[str]
    warnings: list[dict[str, Any]] = field(default_factory=list)


_ON_SHEET = re.compile(r"on the '(\w+)' sheet", re.IGNORECASE)
_QUOTED = re.compile(r"'([^']{1,200})'")


def _locate(book: Any, message: str) -> tuple[str, int] | None:
    """The sheet and row holding a value a message quotes, for messages that name no row."""
    for token in _QUOTED.findall(message):
        for sheet in _SHEETS:
            rows = getattr(book, sheet, None) or []
            for n, row in enumerate(rows):
                if isinstance(row, dict) and token in (str(v) for v in row.values()):
                    return sheet, n + 2  # the header is row 1
    return None


def _problem(message: str, book: Any = None) -> FormProblem:
    row_match = _ROW.search(message)
    named = _ON_SHEET.search(message)
    sheet = named.group(1).lower() if named else ""
    row = int(row_match.group(1)) if row_match else None
    if row is None and book is not None and (found := _locate(book, message)):
        sheet, row = sheet or found[0], found[1]
    if not sheet:
        lowered = message.lower()
        sheet = "survey" if row is not None else "settings" if "setting" in lowered else ""
    return FormProblem(sheet=sheet, row=row, message=_ROW.sub("", message).strip())


def _walk(children: list[dict[str, Any]], prefix: str = "") -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for child in children:
        kind = str(child.get("type", ""))
        name = str(child.get("name", ""))
        path = f"{prefix}{name}"
        if kind in ("group", "repeat"):
            if name == "meta":
                continue
            found += _walk(child.get("children", []), f"{path}/")
            continue
        if kind in _NOT_QUESTIONS or (kind == "calculate" and name == "instanceID"):
            continue
        label = child.get("label", {})
        found.append(
            {
                "name": name,
                "path": path,
                "type": kind,
                "label": label if isinstance(label, dict) else {"": str(label)},
                "choices": [
                    {
                        "name": str(c.get("name", "")),
                        "label": c.get("label")
                        if isinstance(c.get("label"), dict)
                        else {"": str(c.get("label", ""))},
                    }
                    for c in child.get("choices", []) or []
                ],
                "binary": kind in BINARY_TYPES,
            }
        )
    return found


def _languages(xform: str, default: str | None) -> list[str]:
    root = ElementTree.fromstring(xform.encode())
    langs = [t.get("lang", "") for t in root.iter(f"{_ITEXT_NS}translation")]
    if default and default in langs:
        langs.remove(default)
        langs.insert(0, default)
    return [lang for lang in langs if lang]


def _media(pyxform: dict[str, Any], itemsets: str | None) -> list[str]:
    names: set[str] = set()
    text = repr(pyxform)
    names.update(re.findall(r"jr://(?:images|audio|video|file|file-csv)/([^'\"\s]+)", text))
    for child in pyxform.get("children", []):
        if str(child.get("type", "")).endswith("from file"):
            names.add(str(child.get("itemset", "")))
    if itemsets:
        names.add("itemsets.csv")
    return sorted(n for n in names if n)


def convert(content: bytes, filename: str) -> ConvertedForm:
    """Convert an XLSForm (xlsx, xls, csv or md) with pyxform; :class:`XLSFormError` if refused."""
    if len(content) > MAX_XLSFORM_BYTES:
        raise XLSFormError([FormProblem("", None, "The file is larger than 5 MB.")])
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    file_type = f".{suffix}" if suffix in ("xlsx", "xls", "xlsm", "csv", "md") else None
    warnings: list[str] = []
    try:
        result = xls2xform.convert(xlsform=content, warnings=warnings, file_type=file_type)
    except PyXFormError as exc:
        try:
            book = get_xlsform(xlsform=content, file_type=file_type)
        except (PyXFormError, ValueError, KeyError, TypeError):
            book = None
        parts = [part for part in str(exc).split("\n") if part.strip()]
        raise XLSFormError([_problem(part, book) for part in parts]) from exc
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        # pyxform lets some malformed workbooks through as plain errors: still a refusal.
        raise XLSFormError([_problem(f"The file could not be read as an XLSForm: {exc}")]) from exc
    data = result._pyxform
    version = str(data.get("version") or "").strip()
    if not version:
        raise XLSFormError(
            [FormProblem("settings", None, "Set a version in the settings sheet (column version).")]
        )
    form_id = str(data.get("id_string") or "").strip()
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}", form_id):
        raise XLSFormError(
            [FormProblem("settings", None, "The form_id must be a short name without spaces.")]
        )
    xform = result.xform
    return ConvertedForm(
        form_id=form_id,
        title=str(data.get("title") or form_id)[:200],
        version=version[:64],
        xform=xform,
        md5=hashlib.md5(xform.encode(), usedforsecurity=False).hexdigest(),
        languages=_languages(xform, data.get("default_language")),
        questions=_walk(data.get("children", [])),
        media_expected=_media(data, result.itemsets),
        warnings=[_problem(w).as_json() for w in warnings],
    )

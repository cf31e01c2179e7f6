"""``bluebox guide check|propose|ask``: the field guide's rules from the shell.

``check FILE`` reads a rule document (YAML or JSON, ``docs/guide.md``) and prints every problem
with its place, or what the document holds; ``propose FILE --mission CODE`` stores it as a new
version awaiting a commander's approval (on the page: approval stays a commander's, in
person); ``ask`` answers "may I act here, and how?" at a site, from the version in force or
from a document not yet proposed (``--rules FILE``).

Exit codes: 0 done (``ask``: the answer is yes), 1 the rule document cannot be used (nothing
written), 2 an unknown mission or site, or no rules that day, 3 ``ask``: the answer is no.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from bluebox.cli import setup_django
from bluebox.engines.guide.answer import YES_NO_FACTS
from bluebox.engines.guide.rules import ACTIONS, PHASES, THREAT_LEVELS

BAD_DOCUMENT, NOT_FOUND, ANSWER_NO = 1, 2, 3


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("guide", help="check, propose and ask the field guide's rules")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    check = actions.add_parser("check", help="check a rule document without writing anything")
    check.add_argument("path", metavar="FILE")
    check.set_defaults(func=_check)

    propose = actions.add_parser(
        "propose", help="store a rule document as a version awaiting a commander's approval"
    )
    propose.add_argument("path", metavar="FILE")
    propose.add_argument("--mission", required=True, metavar="CODE")
    propose.add_argument("--note", default="")
    propose.set_defaults(func=_propose)

    ask = actions.add_parser("ask", help="may I act here, and how? (the answer and its sources)")
    ask.add_argument("--mission", required=True, metavar="CODE")
    ask.add_argument("--site", required=True, metavar="CODE", help="the field site's code")
    ask.add_argument("--action", required=True, choices=ACTIONS)
    ask.add_argument("--on", type=date.fromisoformat, metavar="YYYY-MM-DD", help="default: today")
    ask.add_argument("--threat", choices=THREAT_LEVELS)
    ask.add_argument("--phase", choices=PHASES)
    for fact in YES_NO_FACTS:
        ask.add_argument(f"--{fact.replace('_', '-')}", dest=fact, choices=("yes", "no"))
    ask.add_argument("--lang", choices=("en", "fr", "ar"), default="en")
    ask.add_argument(
        "--rules", metavar="FILE", help="answer from this document instead of the version in force"
    )
    ask.add_argument("--json", action="store_true", help="the answer as JSON")
    ask.set_defaults(func=_ask)


def _read(path: str) -> Any:
    """The rules of a file, or the problems that stop it (printed; ``None`` then)."""
    from bluebox.core.exceptions import ServiceError
    from bluebox.engines.guide import RulesError, parse
    from bluebox.guide.adapter import MAX_DOCUMENT_BYTES, read_document

    try:
        with Path(path).open("rb") as handle:
            raw = handle.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        _refused(path, [f"cannot be read: {exc.strerror or exc}"])
        return None
    try:
        document = read_document(raw)
        return document, parse(document)
    except ServiceError as exc:
        _refused(path, exc.field_errors.get("document", []), exc.message)
    except RulesError as exc:
        _refused(path, exc.problems)
    return None


def _refused(path: str, problems: list[str], headline: str = "") -> None:
    """Every problem that stops a document, with its place in it (to standard error)."""
    print(
        f"refused: {path}: {headline or f'{len(problems)} problem(s)'}; nothing written",
        file=sys.stderr,
    )
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)


def _problems(exc: Any) -> list[str]:
    return [
        f"{field}: {e}" if field != "document" else e
        for field, errors in exc.field_errors.items()
        for e in errors
    ]


def _check(args: argparse.Namespace) -> int:
    setup_django()
    read = _read(args.path)
    if read is None:
        return BAD_DOCUMENT
    _document, rules = read
    until = rules.valid_until.isoformat() if rules.valid_until else "open-ended"
    print(
        f"{args.path}: a valid rule document, version {rules.version!r}"
        f"{f' for mission {rules.mission!r}' if rules.mission else ''}, "
        f"in force from {rules.valid_from.isoformat()} to {until}, "
        f"{len(rules.rules)} rule(s), {len(rules.documents)} source document(s), "
        f"languages {', '.join(rules.languages)}"
    )
    return 0


def _mission(code: str) -> Any:
    from bluebox.missions.models import Mission

    mission = Mission.objects.filter(code=code).first()
    if mission is None:
        print(f"no mission with code {code!r}", file=sys.stderr)
    return mission


def _propose(args: argparse.Namespace) -> int:
    setup_django()
    from bluebox.cli import operator_name
    from bluebox.core.exceptions import ServiceError
    from bluebox.guide import services

    read = _read(args.path)
    if read is None:
        return BAD_DOCUMENT
    mission = _mission(args.mission)
    if mission is None:
        return NOT_FOUND
    try:
        version = services.rules_propose(
            actor=None,
            mission=mission,
            document=read[0],
            note=args.note,
            via=f"cli:{operator_name()}",
        )
    except ServiceError as exc:
        _refused(args.path, _problems(exc), exc.message)
        return BAD_DOCUMENT
    print(
        f"version {version.label!r} of mission {mission.code!r}: {version.get_status_display()}"
        f" (id {version.pk}); a commander approves it on /guide/rules/{version.pk}/"
    )
    return 0


def _ask(args: argparse.Namespace) -> int:
    setup_django()
    from django.utils import timezone, translation

    from bluebox.guide import selectors
    from bluebox.missions.models import FieldSite

    rules = None
    if args.rules:
        read = _read(args.rules)
        if read is None:
            return BAD_DOCUMENT
        rules = read[1]
    mission = _mission(args.mission)
    if mission is None:
        return NOT_FOUND
    site = FieldSite.objects.filter(mission=mission, code=args.site).first()
    if site is None:
        print(f"no field site {args.site!r} in mission {mission.code!r}", file=sys.stderr)
        return NOT_FOUND
    on = args.on or selectors.local_date(mission, timezone.now())
    if rules is not None and not rules.in_force(on):
        print(f"{args.rules}: version {rules.version!r} is not in force on {on}", file=sys.stderr)
        return NOT_FOUND
    facts: dict[str, Any] = {
        f: {"yes": True, "no": False}.get(getattr(args, f) or "") for f in YES_NO_FACTS
    }
    with translation.override(args.lang):
        result = selectors.operator_answer(
            site,
            action=args.action,
            on=on,
            lang=args.lang,
            rules=rules,
            threat=args.threat,
            phase=args.phase,
            **facts,
        )
        if result.words is None:
            from django.utils.translation import gettext as _

            print(
                f"{mission.code} {on}: " + _("No version of the rules is in force on that day."),
                file=sys.stderr,
            )
            return NOT_FOUND
        words = result.words
        if args.json:
            print(
                json.dumps(
                    {**words.as_dict(), "site": site.code, "on": on.isoformat()},
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            _print_answer(words, site, on)
    return 0 if words.allowed else ANSWER_NO


def _print_answer(words: Any, site: Any, on: date) -> None:
    """The answer as the page gives it, section by section, in the language asked."""
    from django.utils.translation import gettext as _

    print(words.headline)
    print(
        f"{site.name} · {on.isoformat()} · "
        + _("rules version %(label)s") % {"label": words.version}
    )
    for title, items in (
        (_("Why"), words.reasons),
        (_("Conditions"), words.conditions),
        (_("Steps"), words.steps),
        (_("Limits"), words.limits),
        (_("Where it is written"), words.citations),
    ):
        if items:
            print(f"{title}:")
            for item in items:
                print(f"  - {item}")

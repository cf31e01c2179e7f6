"""``bluebox keys``: generate, check and rotate the field-encryption keys.

Rotation: put a new key first in ``BLUEBOX_FIELD_KEYS`` (``bluebox keys generate`` prints one),
keep the old ones after it, run ``bluebox keys rotate``; when ``bluebox keys check`` reports no
value under an older key, drop the old key. See ``docs/operations.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bluebox.cli import operator_name, setup_django


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("keys", help="field-encryption keys: generate, check, rotate")
    sub = parser.add_subparsers(dest="keys_command", required=True)
    generate = sub.add_parser("generate", help="print a new Fernet key (nothing is stored)")
    generate.set_defaults(func=_generate)
    check = sub.add_parser("check", help="count stored values per key; exit 1 if any unreadable")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.set_defaults(func=_check)
    rotate = sub.add_parser(
        "rotate", help="re-encrypt every protected value under the newest key (resumable)"
    )
    rotate.add_argument("--batch", type=int, default=500, help="values per transaction")
    rotate.add_argument("--json", action="store_true", help="print the report as JSON")
    rotate.set_defaults(func=_rotate)


def _generate(args: argparse.Namespace) -> int:
    from cryptography.fernet import Fernet

    print(Fernet.generate_key().decode())
    return 0


def _print(report: Any, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.as_dict(), indent=2))
        return
    print(f"keys (newest first): {', '.join(report.keys)}")
    for label, counts in report.columns.items():
        print(
            f"  {label:<40} newest {counts.current + counts.rotated:>7}  older {counts.older:>7}"
            f"  unreadable {counts.unreadable:>7}"
            + (f"  (re-encrypted now: {counts.rotated})" if counts.rotated else "")
        )


def _check(args: argparse.Namespace) -> int:
    setup_django()
    from bluebox.core import keys

    report = keys.check()
    _print(report, as_json=args.json)
    if report.unreadable:
        print(
            f"{report.unreadable} protected values cannot be decrypted with the configured keys.",
            file=sys.stderr,
        )
        return 1
    if report.older and not args.json:
        print(f"{report.older} values still need an older key: run `bluebox keys rotate`.")
    return 0


def _rotate(args: argparse.Namespace) -> int:
    setup_django()
    from bluebox.core import keys

    if args.batch < 1:
        print("--batch must be at least 1", file=sys.stderr)
        return 2

    def progress(label: str, counts: Any) -> None:
        if not args.json:
            print(f"\r  {label}: {counts.rotated} re-encrypted", end="", file=sys.stderr)

    from bluebox.core import audit

    with audit.as_operator(operator_name()):
        report = keys.rotate(batch=args.batch, progress=progress)
    if not args.json:
        print(file=sys.stderr)
    _print(report, as_json=args.json)
    if report.unreadable:
        print(
            f"{report.unreadable} values no configured key decrypts were left untouched; "
            "do not drop any key until they are explained.",
            file=sys.stderr,
        )
        return 1
    if not args.json:
        print("Every protected value is under the newest key: older keys may now be dropped.")
    return 0

"""``bluebox audit verify``: check the whole audit chain."""

from __future__ import annotations

import argparse
from typing import Any

from bluebox.cli import setup_django


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("audit", help="audit trail tools")
    sub = parser.add_subparsers(dest="audit_command", required=True)
    verify = sub.add_parser("verify", help="detect changed, deleted or reordered entries")
    verify.set_defaults(func=_verify)


def _verify(args: argparse.Namespace) -> int:
    setup_django()
    from bluebox.core import audit

    result = audit.verify()
    if result.ok:
        print(f"audit chain intact: {result.entries} entries")
        return 0
    print(f"audit chain BROKEN ({result.entries} entries read):")
    for problem in result.problems:
        print(f"  - {problem}")
    return 1

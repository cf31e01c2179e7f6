"""``bluebox audit verify|rotate-key|new-key|reanchor``: check and look after the audit chain.

``verify`` exits 0 when the chain is intact, 1 when it was tampered with, and 3 when the
configured key is not the chain's (nothing proves tampering then: fix the key and verify again).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bluebox.cli import setup_django

EXIT_TAMPERED = 1
EXIT_WRONG_KEY = 3


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("audit", help="audit trail tools")
    sub = parser.add_subparsers(dest="audit_command", required=True)
    verify = sub.add_parser(
        "verify", help="detect changed, deleted, reordered or truncated entries, and a wrong key"
    )
    verify.set_defaults(func=_verify)
    rotate = sub.add_parser(
        "rotate-key", help="start a new audit key epoch (the chain stays verifiable)"
    )
    rotate.set_defaults(func=_rotate)
    new = sub.add_parser("new-key", help="print a fresh key for BLUEBOX_AUDIT_KEYS")
    new.set_defaults(func=_new_key)
    reanchor = sub.add_parser(
        "reanchor",
        help="rewrite the anchor outside the database from a verified chain (after a restore)",
    )
    reanchor.set_defaults(func=_reanchor)


def _verify(args: argparse.Namespace) -> int:
    setup_django()
    from bluebox.core import audit

    result = audit.verify()
    if result.ok:
        print(f"audit chain intact: {result.entries} entries")
        return 0
    if result.wrong_key:
        print(f"audit key WRONG ({result.entries} entries read); no tampering found so far:")
        for problem in result.key_problems:
            print(f"  - {problem}")
        return EXIT_WRONG_KEY
    print(f"audit chain BROKEN ({result.entries} entries read):")
    for problem in result.key_problems + result.problems:
        print(f"  - {problem}")
    return EXIT_TAMPERED


def _rotate(args: argparse.Namespace) -> int:
    setup_django()
    from bluebox.core import audit

    try:
        rotation = audit.rotate_key()
    except audit.AuditKeyError as exc:
        print(f"bluebox audit rotate-key: {exc}", file=sys.stderr)
        return 2
    where = f" (key kept in {rotation.key_file})" if rotation.key_file else ""
    print(f"audit key epoch {rotation.from_epoch} -> {rotation.to_epoch}{where}")
    return 0


def _new_key(args: argparse.Namespace) -> int:
    from bluebox.core.audit import new_key

    print(new_key())
    return 0


def _reanchor(args: argparse.Namespace) -> int:
    setup_django()
    from bluebox.core import audit

    result = audit.verify()
    if result.problems or result.key_problems:
        chain_only = [p for p in result.problems if "anchor" not in p]
        if chain_only or result.key_problems:
            print("refused: the chain itself does not verify; run bluebox audit verify")
            return EXIT_TAMPERED
    entry = audit.reanchor()
    print(f"anchor rewritten at entry {entry.seq}")
    return 0

"""``bluebox token create --as USER`` / ``bluebox token revoke ID``: API tokens at the console.

A token is created only by its holder, signed in with their password (it is printed once and
never stored); the operator may revoke any token, which is audited as theirs.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bluebox.cli import setup_django
from bluebox.commands import _person


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("token", help="create your own API token, or revoke one")
    sub = parser.add_subparsers(dest="token_command", required=True)
    create = sub.add_parser("create", help="a new API token for your account, printed once")
    _person.add_arguments(create, purpose="the token's holder")
    create.add_argument("--name", default="command line", help="what the token is for")
    create.add_argument("--days", type=int, default=None, help="days until it expires")
    create.set_defaults(func=_create)
    revoke = sub.add_parser("revoke", help="revoke a token by its number")
    revoke.add_argument("token_id", type=int)
    revoke.set_defaults(func=_revoke)


def _create(args: argparse.Namespace) -> int:
    setup_django()
    from bluebox.core import services
    from bluebox.core.exceptions import ServiceError

    user = _person.sign_in(args)
    if user is None:
        return 2
    try:
        token, key = services.token_create(actor=user, user=user, name=args.name, days=args.days)
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    print(f"token {token.pk} for {user.get_username()}, expires {token.expires_at:%Y-%m-%d}:")
    print(key)
    print("It is shown this once; keep it like a password.", file=sys.stderr)
    return 0


def _revoke(args: argparse.Namespace) -> int:
    setup_django()
    from bluebox.core import services
    from bluebox.core.exceptions import NotVisible

    try:
        token = services.token_revoke(actor=None, token_id=args.token_id)
    except NotVisible:
        print(f"no token {args.token_id}", file=sys.stderr)
        return 2
    print(f"token {token.pk} of {token.user.get_username()} revoked")
    return 0

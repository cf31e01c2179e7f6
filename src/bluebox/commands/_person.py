"""Sign a person in at the command line: a command that acts with someone's rights needs their
credentials, never only their name.

The credential is that person's API token (``BLUEBOX_API_TOKEN``) or their password, asked for
on the terminal (or read as one line from standard input with ``--password-stdin``), followed by
their second-factor code when their account asks for one (the next line). A wrong one
counts as a failed login: throttled and audited like the login page.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

TOKEN_VARIABLE = "BLUEBOX_API_TOKEN"  # noqa: S105 - the variable's name, not a secret


def add_arguments(parser: argparse.ArgumentParser, *, purpose: str) -> None:
    parser.add_argument(
        "--as",
        dest="username",
        required=True,
        help=f"{purpose}; signs in as this account (its token in {TOKEN_VARIABLE}, or its "
        "password, asked for)",
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the account's password from standard input instead of asking",
    )


def sign_in(args: argparse.Namespace) -> Any | None:
    """The account named by ``--as``, authenticated, or ``None`` (with the reason on stderr)."""
    from django.contrib.auth import authenticate
    from rest_framework.exceptions import AuthenticationFailed

    from bluebox.core.auth import HashedTokenAuthentication

    key = os.environ.get(TOKEN_VARIABLE, "")
    if key:
        try:
            user, _ = HashedTokenAuthentication().credentials_for(key)
        except AuthenticationFailed:
            user = None
        if user is None or user.get_username() != args.username:
            print(f"{TOKEN_VARIABLE} is not a valid token of {args.username!r}", file=sys.stderr)
            return None
        return user
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password of {args.username}: ")
    user = authenticate(None, username=args.username, password=password)
    if user is None:
        print(f"could not sign in as {args.username!r}", file=sys.stderr)
        return None
    return _second_factor(args, user)


def _second_factor(args: argparse.Namespace, user: Any) -> Any | None:
    """A person asked for a second factor at sign-in is asked for it here too (the next line of
    standard input with ``--password-stdin``)."""
    from bluebox.core import mfa
    from bluebox.core.exceptions import ServiceError

    if not mfa.asks_second_factor(user):
        return user
    if not mfa.enrolled(user):
        print(f"{args.username!r} must enrol a second factor first", file=sys.stderr)
        return None
    if args.password_stdin:
        code = sys.stdin.readline().strip()
    else:
        code = getpass.getpass(f"second-factor code of {args.username}: ")
    try:
        mfa.verify(user=user, code=code, action="cli-second-factor")
    except ServiceError:
        print(f"could not sign in as {args.username!r}: wrong second-factor code", file=sys.stderr)
        return None
    return user

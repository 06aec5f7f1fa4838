"""``python -m paylor_async sign | verify``: sign a body, or verify one and show the event."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from typing import Any, BinaryIO, TextIO

from ..errors import PaylorError
from ._errors import WebhookVerificationError
from ._events import WebhookEvent
from ._record import Record
from ._signature import compute_signature
from ._verifier import WebhookVerifier

__all__ = ["SECRET_ENV", "add_commands", "run_sign", "run_verify"]

SECRET_ENV = "PAYLOR_WEBHOOK_SECRET"  # noqa: S105  # nosec B105 # an env var name, not a secret


def add_commands(commands: Any) -> None:
    """Add ``sign`` and ``verify`` to an argparse subparsers object."""
    secret_help = (
        f"webhook secret (default: ${SECRET_ENV}; prefer the variable: a secret on the "
        "command line is visible to other users in ps)"
    )
    sign = commands.add_parser("sign", help="print the X-Webhook-Signature of a body")
    sign.add_argument("--secret", help=secret_help)
    sign.add_argument("file", nargs="?", default="-", help="body file, or - for stdin (default)")
    verify = commands.add_parser(
        "verify", help="verify a body and its signature; print the parsed event"
    )
    verify.add_argument("--secret", action="append", help=secret_help + "; repeat for rotation")
    verify.add_argument("--signature", required=True, help="the X-Webhook-Signature value")
    verify.add_argument("--event", help="the X-Webhook-Event header, if any")
    verify.add_argument("file", nargs="?", default="-", help="body file, or - for stdin (default)")


def run_sign(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the signature of the body; 2 when no usable secret or body."""
    secrets = _secrets(args.secret, err)
    body = _read(args.file, err)
    if secrets is None or body is None:
        return 2
    try:
        WebhookVerifier(secrets)  # the same checks as verification: no blank secret
    except WebhookVerificationError as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=err)
        return 2
    print(compute_signature(body, secrets[0]), file=out)
    return 0


def run_verify(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the event as JSON and return 0, or name the failure and return 1."""
    secrets = _secrets(args.secret, err)
    body = _read(args.file, err)
    if secrets is None or body is None:
        return 2
    headers = {"X-Webhook-Signature": args.signature}
    if args.event is not None:
        headers["X-Webhook-Event"] = args.event
    try:
        event = WebhookVerifier(secrets).verify_sync(body, headers)
    except PaylorError as exc:
        print(f"not verified: {type(exc).__name__}: {exc}", file=err)
        return 1
    print(json.dumps(describe(event), indent=2, default=str), file=out)
    return 0


def describe(event: WebhookEvent) -> dict[str, Any]:
    """The event as plain data: its type, its fields, nested objects included (not ``raw``)."""
    return {"type": type(event).__name__, **_plain(event)}


def _plain(value: Any) -> Any:
    if isinstance(value, Record):
        return {name: _plain(field) for name, field in value.fields() if name not in value._hidden}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, str):
        return str(value)  # a WebhookStatus becomes its plain string
    return value


def _secrets(given: str | list[str] | None, err: TextIO) -> list[str] | None:
    if isinstance(given, str):
        given = [given]
    if given:
        return given
    from_env = os.environ.get(SECRET_ENV)
    if from_env:
        return [from_env]
    print(f"error: no secret: set ${SECRET_ENV} (or pass --secret)", file=err)
    return None


def _read(path: str, err: TextIO) -> bytes | None:
    try:
        if path == "-":
            stream: BinaryIO = sys.stdin.buffer
            return stream.read()
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror or type(exc).__name__}", file=err)
        return None

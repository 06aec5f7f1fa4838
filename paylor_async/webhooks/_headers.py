"""Read one header from whatever a framework calls its headers, never raising.

Accepted: aiohttp's ``CIMultiDictProxy``, Starlette's ``Headers``, Django's ``request.headers``
(all case-insensitive already), a plain ``dict`` with keys in any case, a WSGI environ or Django
``request.META`` (``HTTP_X_WEBHOOK_SIGNATURE``), and an ASGI-style sequence of ``(name, value)``
pairs (``str`` or ``bytes``). Byte values are decoded as latin-1 (the HTTP default), so hostile
bytes reach the signature check as text it can refuse.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["header_value"]


def header_value(headers: object, name: str) -> object:
    """The value of header ``name`` in ``headers`` (any case), or ``None`` when absent.

    Args:
        headers: a mapping or a sequence of ``(name, value)`` pairs (see the module docstring).
        name: the header name, e.g. ``"X-Webhook-Signature"``.

    Returns:
        The value as found (a ``str`` normally; ``bytes`` values are decoded as latin-1; other
        types are returned as they are, for the caller to refuse), or ``None``.

    Never raises: a headers object that fails while being read counts as "header absent".
    """
    if type(headers) is dict:  # the common case, kept cheap: an exact key, a str value
        value = headers.get(name)
        if type(value) is str:
            return value
    elif headers is None:
        return None
    try:
        return _lookup(headers, name)
    except Exception:  # a hostile or broken headers object: treat the header as absent
        return None


def _lookup(headers: object, name: str) -> object:
    if isinstance(headers, Mapping):
        value = headers.get(name)  # fast path: case-insensitive containers, exact keys
        if value is not None:
            return _text(value)
        pairs: Iterable[object] = headers.items()
    elif isinstance(headers, (str, bytes, bytearray)):
        return None
    elif isinstance(headers, Iterable):
        pairs = headers
    else:
        return None
    wanted = name.lower()
    wsgi = "http_" + wanted.replace("-", "_")
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            continue
        key, value = pair
        if isinstance(key, (bytes, bytearray)):
            key = bytes(key).decode("latin-1")
        if not isinstance(key, str) or len(key) > 200:
            continue
        lowered = key.lower()
        if lowered in (wanted, wsgi):
            return _text(value)
    return None


def _text(value: object) -> object:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    return value

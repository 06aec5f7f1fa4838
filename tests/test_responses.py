"""Error bodies of any shape decode to a typed error without raising anything else."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paylor_async import APIError, ServerError, ValidationError
from paylor_async._responses import build_api_error, excerpt


def build(status: int, body: bytes) -> APIError:
    return build_api_error(
        status=status,
        reason="Reason",
        headers={"X-Request-Id": "req-1"},
        body=body,
        redact=lambda text: text.replace("sk_secret_123456", "[redacted]"),
        method="POST",
        path="/merchants/payments/stk-push",
        idempotency_key="k-1",
        reference="R-1",
    )


def test_envelope_without_top_level_message() -> None:
    body = json.dumps(
        {"error": {"code": "VALIDATION_ERROR", "message": "Invalid", "details": [
            {"path": ["channel", "id"], "message": "bad channel"},
            "not an object",
            {"path": 5, "message": None},
        ]}}
    ).encode()  # fmt: skip
    err = build(400, body)
    assert isinstance(err, ValidationError)
    assert err.message == "Invalid"
    assert [(d.path, d.message) for d in err.details] == [
        ("channel.id", "bad channel"),
        (None, None),
    ]
    assert err.request_id == "req-1"


def test_top_level_message_only() -> None:
    err = build(500, b'{"message": "boom"}')
    assert isinstance(err, ServerError)
    assert (err.code, err.message) == (None, "boom")


def test_plain_string_error_field() -> None:
    assert build(400, b'{"error": "bad"}').message == "bad"


def test_secret_echoed_by_a_proxy_is_redacted() -> None:
    err = build(502, b"<html>Authorization: Bearer sk_secret_123456</html>")
    assert "sk_secret_123456" not in err.body_excerpt
    assert "sk_secret_123456" not in str(err)
    assert "[redacted]" in err.body_excerpt


def test_excerpt_is_short_and_one_line() -> None:
    text = excerpt(b"a\n\n b" * 1000, lambda s: s)
    assert "\n" not in text
    assert len(text) <= 201


@given(status=st.integers(min_value=300, max_value=599), body=st.binary(max_size=2000))
def test_any_bytes_give_an_api_error(status: int, body: bytes) -> None:
    err = build(status, body)
    assert err.status == status
    str(err), repr(err)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
envelopes = st.fixed_dictionaries(
    {},
    optional={
        "message": json_values,
        "error": json_values
        | st.fixed_dictionaries(
            {},
            optional={"code": json_values, "message": json_values, "details": json_values},
        ),
    },
)


@given(status=st.integers(min_value=400, max_value=599), data=envelopes | json_values)
def test_any_json_gives_an_api_error(status: int, data: object) -> None:
    err = build(status, json.dumps(data).encode())
    assert isinstance(err, APIError)
    assert err.code is None or isinstance(err.code, str)
    assert isinstance(err.message, str)
    str(err), repr(err)


@pytest.mark.parametrize("status", [400, 404, 429, 500])
def test_status_is_in_the_message_of_bodyless_errors(status: int) -> None:
    assert str(status) in build(status, b"").message

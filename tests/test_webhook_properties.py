"""Property tests: random bodies and header values through WebhookVerifier and parse_event.

Whatever arrives, only the module's own errors are raised, and nothing verifies without the
right secret.
"""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict, CIMultiDictProxy
from starlette.datastructures import Headers

from paylor_async.webhooks import (
    InvalidPayloadError,
    SignatureMismatchError,
    WebhookVerificationError,
    WebhookVerifier,
    compute_signature,
    parse_event,
)

SECRET = "whsec_properties_current_1d4f"
OLD_SECRET = "whsec_properties_previous_77c2"


header_values = st.one_of(
    st.none(),
    st.text(max_size=300),
    st.binary(max_size=300),
    st.integers(),
    st.text(alphabet="0123456789abcdefABCDEF", min_size=64, max_size=64),
    st.text(alphabet="0123456789abcdef", min_size=64, max_size=64).map(lambda s: "sha256=" + s),
)


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=2048), signature=header_values, event=header_values)
def test_random_bodies_and_headers_never_leak_foreign_errors(
    body: bytes, signature: object, event: object
) -> None:
    verifier = WebhookVerifier([SECRET, OLD_SECRET])
    with pytest.raises(WebhookVerificationError) as caught:
        verifier.verify_sync(body, {"x-webhook-signature": signature, "X-Webhook-Event": event})
    assert not isinstance(caught.value, InvalidPayloadError)  # no signature matched: not parsed


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=2048), event=header_values)
def test_random_signed_bodies_verify_then_parse_or_raise_invalid_payload(
    body: bytes, event: object
) -> None:
    verifier = WebhookVerifier(SECRET)
    headers = {"X-Webhook-Signature": compute_signature(body, SECRET), "X-Webhook-Event": event}
    with contextlib.suppress(InvalidPayloadError):
        verifier.verify_sync(body, headers)
    with pytest.raises(SignatureMismatchError):
        WebhookVerifier(OLD_SECRET).verify_sync(body, headers)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
event_names = st.sampled_from(
    ["payment.success", "payment.failed", "transaction.updated", "global.collection.confirmed"]
) | st.text(max_size=20)


@settings(max_examples=300, deadline=None)
@given(
    name=event_names,
    transaction=json_values
    | st.dictionaries(
        st.sampled_from(["id", "reference", "amount", "status", "metadata", "internalReference"]),
        json_values,
    ),
    extra=st.dictionaries(
        st.sampled_from(["reference", "amount", "status", "createdAt", "merchantReference"]),
        json_values,
    ),
)
def test_random_json_shapes_parse_or_raise_invalid_payload(
    name: str, transaction: object, extra: dict[str, object]
) -> None:
    body = {"event": name, "transaction": transaction, **extra}
    for given_body in (body, json.dumps(body).encode()):
        try:
            event = parse_event(given_body)  # type: ignore[arg-type]
        except InvalidPayloadError:
            continue
        assert event.dedupe_key


header_names = st.sampled_from(["X-Webhook-Signature", "x-webhook-signature", "X-Other"]) | st.text(
    max_size=30
)


@settings(max_examples=200, deadline=None)
@given(
    body=st.binary(max_size=512),
    pairs=st.lists(st.tuples(st.binary(max_size=40), st.binary(max_size=300)), max_size=6),
    names=st.lists(st.tuples(header_names, st.text(max_size=300)), max_size=6),
)
def test_random_headers_in_every_container_never_verify_or_leak(
    body: bytes, pairs: list[tuple[bytes, bytes]], names: list[tuple[str, str]]
) -> None:
    verifier = WebhookVerifier(SECRET)
    containers: list[object] = [
        pairs,
        Headers(raw=pairs),
        dict(names),
        CIMultiDictProxy(CIMultiDict(names)),
    ]
    for headers in containers:
        with pytest.raises(WebhookVerificationError) as caught:
            verifier.verify_sync(body, headers)
        assert not isinstance(caught.value, InvalidPayloadError)

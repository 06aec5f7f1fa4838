"""verify_signature: valid and invalid signatures, hostile input, rotation, no secret leaks."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import paylor_async.webhooks as webhooks
from paylor_async.errors import ConfigurationError, PaylorError
from paylor_async.webhooks import (
    EVENT_HEADER,
    SIGNATURE_HEADER,
    InvalidPayloadError,
    MalformedSignatureError,
    MissingSignatureError,
    RawBodyRequiredError,
    SignatureMismatchError,
    WebhookSecretError,
    WebhookVerificationError,
    compute_signature,
    verify_signature,
)
from paylor_async.webhooks._verify import MAX_SIGNATURE_HEADER_LENGTH

SECRET = "whsec_current_7f3a9c1e5b"
OLD_SECRET = "whsec_previous_2d8b4f6a0c"
BODY = (
    b'{"event": "payment.success", "transaction": {"id": "665f4c1b9a8d2e001f2a1234", '
    b'"reference": "ORDER-12345", "amount": 1000, "status": "COMPLETED"}}'
)
SIG = compute_signature(BODY, SECRET)


def test_public_names() -> None:
    assert SIGNATURE_HEADER == "X-Webhook-Signature"
    assert EVENT_HEADER == "X-Webhook-Event"
    assert set(webhooks.__all__) >= {
        "EVENT_HEADER",
        "SIGNATURE_HEADER",
        "InvalidPayloadError",
        "MalformedSignatureError",
        "MissingSignatureError",
        "RawBodyRequiredError",
        "SignatureMismatchError",
        "WebhookSecretError",
        "WebhookVerificationError",
        "compute_signature",
        "verify_signature",
    }
    for name in webhooks.__all__:
        assert hasattr(webhooks, name)


def test_error_tree() -> None:
    assert issubclass(WebhookVerificationError, PaylorError)
    for cls in (
        MissingSignatureError,
        MalformedSignatureError,
        SignatureMismatchError,
        RawBodyRequiredError,
        WebhookSecretError,
        InvalidPayloadError,
    ):
        assert issubclass(cls, WebhookVerificationError)
    assert issubclass(WebhookSecretError, ConfigurationError)


def test_compute_signature_is_lower_hex_sha256() -> None:
    assert len(SIG) == 64
    assert SIG.lower() == SIG
    int(SIG, 16)


# --- valid signatures -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        SIG,
        SIG.upper(),
        "sha256=" + SIG,
        "SHA256=" + SIG,
        "Sha256=" + SIG.upper(),
        "  " + SIG + "  ",
        "\t" + SIG + "\r\n",
        " sha256=" + SIG + " ",
        " " * (MAX_SIGNATURE_HEADER_LENGTH - 64) + SIG,  # exactly at the cap
    ],
)
def test_valid_signature_forms(header: str) -> None:
    verify_signature(BODY, header, SECRET)


@pytest.mark.parametrize("body", [bytearray(BODY), memoryview(BODY)])
def test_bytes_like_bodies(body: bytearray | memoryview) -> None:
    verify_signature(body, SIG, SECRET)


def test_non_contiguous_memoryview_body() -> None:
    raw = bytes(range(20))
    view = memoryview(raw)[::2]
    verify_signature(view, compute_signature(bytes(view), SECRET), SECRET)


def test_released_memoryview_body() -> None:
    view = memoryview(BODY)
    view.release()
    with pytest.raises(RawBodyRequiredError):
        verify_signature(view, SIG, SECRET)


@pytest.mark.parametrize(
    "secrets", [[SECRET, OLD_SECRET], [OLD_SECRET, SECRET], (OLD_SECRET, SECRET)]
)
def test_rotation_any_secret_matches(secrets: Sequence[str]) -> None:
    verify_signature(BODY, SIG, secrets)
    verify_signature(BODY, compute_signature(BODY, OLD_SECRET), [SECRET, OLD_SECRET])


def test_str_secret_is_one_secret_not_a_sequence_of_characters() -> None:
    # If "abc" were iterated, a body signed with "a" would verify.
    with pytest.raises(SignatureMismatchError):
        verify_signature(BODY, compute_signature(BODY, "a"), "abc")
    verify_signature(BODY, compute_signature(BODY, "abc"), "abc")


def test_non_utf8_body() -> None:
    body = b"\xff\xfe\x00\x80 not utf-8 \xc3\x28"
    verify_signature(body, compute_signature(body, SECRET), SECRET)
    with pytest.raises(SignatureMismatchError):
        verify_signature(body, compute_signature(body, OLD_SECRET), SECRET)


def test_empty_body() -> None:
    verify_signature(b"", compute_signature(b"", SECRET), SECRET)
    with pytest.raises(SignatureMismatchError):
        verify_signature(b"", SIG, SECRET)


def test_unicode_secret() -> None:
    secret = "sécret-🔑"
    verify_signature(BODY, compute_signature(BODY, secret), secret)


# --- mismatches -------------------------------------------------------------------------------


def test_wrong_secret() -> None:
    with pytest.raises(SignatureMismatchError):
        verify_signature(BODY, SIG, OLD_SECRET)
    with pytest.raises(SignatureMismatchError):
        verify_signature(BODY, SIG, [OLD_SECRET, "another"])


@pytest.mark.parametrize("index", [0, 1, len(BODY) // 2, len(BODY) - 1])
def test_body_changed_by_one_byte(index: int) -> None:
    tampered = bytearray(BODY)
    tampered[index] ^= 0x01
    with pytest.raises(SignatureMismatchError):
        verify_signature(bytes(tampered), SIG, SECRET)


def test_body_with_extra_byte() -> None:
    with pytest.raises(SignatureMismatchError):
        verify_signature(BODY + b"\n", SIG, SECRET)


COMPACT = b'{"event":"payment.success","transaction":{"amount":1000,"reference":"R-\\u00e9"}}'


@pytest.mark.parametrize(
    ("body", "reserialise"),
    [
        (COMPACT, lambda obj: json.dumps(obj)),
        (COMPACT, lambda obj: json.dumps(obj, ensure_ascii=False)),
        (BODY, lambda obj: json.dumps(obj, separators=(",", ":"))),
        (BODY, lambda obj: json.dumps(obj, indent=2)),
        (BODY, lambda obj: json.dumps(obj, sort_keys=True)),
    ],
    ids=["spaced", "unescaped", "compact", "indented", "sorted"],
)
def test_reserialised_json_fails(body: bytes, reserialise: Callable[[Any], str]) -> None:
    sig = compute_signature(body, SECRET)
    again = reserialise(json.loads(body)).encode()
    assert again != body
    assert json.loads(again) == json.loads(body)
    with pytest.raises(SignatureMismatchError):
        verify_signature(again, sig, SECRET)


def test_one_hex_digit_changed() -> None:
    flipped = ("0" if SIG[0] != "0" else "1") + SIG[1:]
    with pytest.raises(SignatureMismatchError):
        verify_signature(BODY, flipped, SECRET)


# --- the body must be raw bytes ---------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [BODY.decode(), json.loads(BODY), [1, 2], None, 42, 1.5, object()],
    ids=["str", "dict", "list", "None", "int", "float", "object"],
)
def test_non_bytes_body_refused(body: object) -> None:
    with pytest.raises(RawBodyRequiredError, match="raw request bytes"):
        verify_signature(body, SIG, SECRET)  # type: ignore[arg-type]


def test_str_body_refused_even_with_the_right_signature() -> None:
    # A str body would "work" if encoded, but decoding may already have altered it: refuse.
    with pytest.raises(RawBodyRequiredError):
        verify_signature(BODY.decode(), SIG, SECRET)  # type: ignore[arg-type]


# --- hostile signature headers ----------------------------------------------------------------

HOSTILE_HEADERS: list[tuple[str, object, type[WebhookVerificationError]]] = [
    ("none", None, MissingSignatureError),
    ("empty", "", MissingSignatureError),
    ("blank", "   ", MissingSignatureError),
    ("prefix-only", "sha256=", MalformedSignatureError),
    ("e-acute", "é" * 64, MalformedSignatureError),
    ("emoji", "🔑" * 64, MalformedSignatureError),
    ("hex-then-emoji", SIG[:63] + "🔑", MalformedSignatureError),
    ("fullwidth-digits", "\uff10" * 64, MalformedSignatureError),
    ("hex-63", SIG[:63], MalformedSignatureError),
    ("hex-65", SIG + "0", MalformedSignatureError),
    ("hex-128", SIG + SIG, MalformedSignatureError),
    ("non-hex-64", "g" * 64, MalformedSignatureError),
    ("non-hex-zz", "zz" + SIG[2:], MalformedSignatureError),
    (
        "inner-spaces",
        " ".join(SIG[i : i + 2] for i in range(0, 64, 2))[:64],
        MalformedSignatureError,
    ),
    ("0x-prefix", "0x" + SIG[2:], MalformedSignatureError),
    ("double-prefix", "sha256=sha256=" + SIG, MalformedSignatureError),
    ("sha1-prefix", "sha1=" + SIG, MalformedSignatureError),
    ("nul", "\x00" * 64, MalformedSignatureError),
    ("surrogate", "\ud800" * 64, MalformedSignatureError),
    ("huge-hex", "a" * 200_000, MalformedSignatureError),
    ("bytes", SIG.encode(), MalformedSignatureError),
    ("bytearray", bytearray(SIG.encode()), MalformedSignatureError),
    ("int", 12345, MalformedSignatureError),
    ("float", 1.5, MalformedSignatureError),
    ("list", [SIG], MalformedSignatureError),
]


@pytest.mark.parametrize(
    ("header", "error"),
    [(h, e) for _, h, e in HOSTILE_HEADERS],
    ids=[name for name, _, _ in HOSTILE_HEADERS],
)
def test_hostile_headers(header: object, error: type[WebhookVerificationError]) -> None:
    with pytest.raises(error) as info:
        verify_signature(BODY, header, SECRET)  # type: ignore[arg-type]
    message = str(info.value)
    assert message
    assert len(message) < 200
    if isinstance(header, str) and len(header) >= 8:
        assert header not in message
        assert header.strip() not in message


def test_length_cap_runs_before_anything_else() -> None:
    # 200 KB of whitespace then the right signature: stripping would make it verify, so
    # rejecting it proves the cap is applied before the content is touched.
    padded = " " * 200_000 + SIG
    with pytest.raises(MalformedSignatureError, match="too long"):
        verify_signature(BODY, padded, SECRET)
    with pytest.raises(MalformedSignatureError, match="too long"):
        verify_signature(BODY, "A" * 200_000, SECRET)
    with pytest.raises(MalformedSignatureError, match="too long"):
        verify_signature(BODY, "é" * 200_000, SECRET)


def test_one_over_the_cap() -> None:
    header = " " * (MAX_SIGNATURE_HEADER_LENGTH - 64 + 1) + SIG
    with pytest.raises(MalformedSignatureError, match="too long"):
        verify_signature(BODY, header, SECRET)


# --- secrets ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "secret",
    ["", "   ", [], (), [""], [SECRET, ""], [None], [SECRET, None], 123, None, b"bytes-secret",
     [b"bytes-secret"], {"k": SECRET}, ["\ud800"]],
    ids=["empty", "blank", "empty-list", "empty-tuple", "list-empty-str", "list-with-empty",
         "list-none", "list-with-none", "int", "none", "bytes", "list-bytes", "dict",
         "unencodable"],
)  # fmt: skip
def test_bad_secrets(secret: object) -> None:
    with pytest.raises(WebhookSecretError):
        verify_signature(BODY, SIG, secret)  # type: ignore[arg-type]


def test_bad_secret_is_reported_before_the_header() -> None:
    with pytest.raises(WebhookSecretError):
        verify_signature(BODY, None, "")
    with pytest.raises(RawBodyRequiredError):
        verify_signature("text", None, SECRET)  # type: ignore[arg-type]


def test_secret_sequence_that_fails_to_iterate() -> None:
    class Broken(Sequence[str]):
        def __len__(self) -> int:
            return 1

        def __getitem__(self, index: Any) -> Any:
            raise RuntimeError("boom")

    with pytest.raises(WebhookSecretError):
        verify_signature(BODY, SIG, Broken())


# --- no secret, header or body in errors ------------------------------------------------------


def _raised(call: Callable[[], None]) -> WebhookVerificationError:
    with pytest.raises(WebhookVerificationError) as info:
        call()
    return info.value


def test_no_secret_in_error_text() -> None:
    secret = "whsec_DO_NOT_LEAK_4b1d9e"
    other = "whsec_ALSO_PRIVATE_77c2"
    secrets = [secret, other]
    sig = compute_signature(BODY, secret)
    calls: list[Callable[[], None]] = [
        lambda: verify_signature(BODY, None, secrets),
        lambda: verify_signature(BODY, "", secrets),
        lambda: verify_signature(BODY, "xyz", secrets),
        lambda: verify_signature(BODY, "a" * 1000, secrets),
        lambda: verify_signature(BODY, sig[:63], secrets),
        lambda: verify_signature(BODY, sig.encode(), secrets),  # type: ignore[arg-type]
        lambda: verify_signature(BODY + b"x", sig, secrets),
        lambda: verify_signature(BODY, compute_signature(BODY, "nope"), secrets),
        lambda: verify_signature(BODY, secret, secrets),  # the secret sent as the header
        lambda: verify_signature(BODY.decode(), sig, secrets),  # type: ignore[arg-type]
        lambda: verify_signature(BODY, sig, [secret, ""]),
        lambda: verify_signature(BODY, sig, [secret, None]),  # type: ignore[list-item]
        lambda: verify_signature(BODY, sig, [secret, "\ud800"]),
        lambda: verify_signature(BODY, sig, secret.encode()),  # type: ignore[arg-type]
    ]
    for call in calls:
        exc = _raised(call)
        texts = [str(exc), repr(exc), *map(str, exc.args)]
        texts.append("".join(traceback.format_exception_only(type(exc), exc)))
        for text in texts:
            assert secret not in text
            assert other not in text
            assert sig not in text
        assert exc.__cause__ is None
        assert exc.__suppress_context__ or exc.__context__ is None


def test_body_not_echoed() -> None:
    exc = _raised(lambda: verify_signature(BODY.decode(), SIG, SECRET))  # type: ignore[arg-type]
    assert "ORDER-12345" not in str(exc)
    exc = _raised(lambda: verify_signature(BODY, SIG, OLD_SECRET))
    assert "ORDER-12345" not in str(exc)


# --- property tests ---------------------------------------------------------------------------

secrets_st = st.text(min_size=1).filter(str.strip)
any_header = st.one_of(
    st.none(),
    st.text(),
    st.binary(),
    st.integers(),
    st.text(alphabet="0123456789abcdefABCDEF", min_size=60, max_size=70),
    st.builds(lambda s: "sha256=" + s, st.text()),
)


def _normalised(header: object) -> str | None:
    if not isinstance(header, str):
        return None
    value = header.strip().lower()
    return value.removeprefix("sha256=")


@given(body=st.binary(), header=any_header, secret=secrets_st)
def test_random_headers_never_crash_and_never_verify(
    body: bytes, header: object, secret: str
) -> None:
    try:
        verify_signature(body, header, secret)  # type: ignore[arg-type]
    except WebhookVerificationError:
        return
    # Verified: only possible if the random header is the right signature (probability nil).
    assert _normalised(header) == compute_signature(body, secret)


@given(
    body=st.one_of(st.binary(), st.text(), st.none(), st.integers(), st.lists(st.integers())),
    header=any_header,
    secret=st.one_of(
        st.text(),
        st.lists(st.one_of(st.text(), st.none(), st.binary(), st.integers())),
        st.binary(),
        st.integers(),
        st.none(),
    ),
)
def test_anything_raises_only_webhook_errors(body: object, header: object, secret: object) -> None:
    with contextlib.suppress(WebhookVerificationError):
        verify_signature(body, header, secret)  # type: ignore[arg-type]


@given(body=st.binary(), secret=secrets_st, upper=st.booleans(), prefix=st.booleans())
def test_correct_signature_always_verifies(
    body: bytes, secret: str, upper: bool, prefix: bool
) -> None:
    sig = compute_signature(body, secret)
    if upper:
        sig = sig.upper()
    if prefix:
        sig = "sha256=" + sig
    verify_signature(body, sig, secret)
    verify_signature(bytearray(body), f" {sig}\n", ["unrelated-secret", secret])


@given(body=st.binary(), secret=secrets_st, other=secrets_st)
def test_other_secret_never_verifies(body: bytes, secret: str, other: str) -> None:
    if other == secret:
        return
    with pytest.raises(SignatureMismatchError):
        verify_signature(body, compute_signature(body, other), secret)


@given(body=st.binary(min_size=1), secret=secrets_st, data=st.data())
def test_tampered_body_never_verifies(body: bytes, secret: str, data: st.DataObject) -> None:
    sig = compute_signature(body, secret)
    index = data.draw(st.integers(0, len(body) - 1))
    bit = data.draw(st.integers(0, 7))
    tampered = bytearray(body)
    tampered[index] ^= 1 << bit
    with pytest.raises(SignatureMismatchError):
        verify_signature(bytes(tampered), sig, secret)


# --- import hygiene ---------------------------------------------------------------------------


def test_import_does_not_pull_aiohttp_or_the_client() -> None:
    code = (
        "import sys\n"
        "import paylor_async.webhooks as w\n"
        "w.verify_signature(b'x', w.compute_signature(b'x', 's'), 's')\n"
        "banned = ('aiohttp', 'paylor_async._client', 'paylor_async._transport',\n"
        "          'paylor_async.resources', 'paylor_async.models', 'paylor_async.testing')\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(banned))\n"
        "assert not loaded, loaded\n"
    )
    root = Path(webhooks.__file__).resolve().parents[2]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr

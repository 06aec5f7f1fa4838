"""Input checks made before sending: phones, amounts, idempotency keys, texts, URLs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paylor_async import (
    InputError,
    InvalidAmountError,
    InvalidIdempotencyKeyError,
    InvalidParameterError,
    InvalidPhoneNumberError,
    normalize_phone,
)
from paylor_async._validation import (
    validate_callback_url,
    validate_idempotency_key,
    validate_text,
    validate_whole_amount,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("0712345678", "254712345678"),
        ("0712 345 678", "254712345678"),
        ("+254712345678", "254712345678"),
        ("254712345678", "254712345678"),
        ("254-712-345678", "254712345678"),
        ("712345678", "254712345678"),
        ("+254 (712) 345.678", "254712345678"),
        ("0112345678", "254112345678"),
        ("0110 123 456", "254110123456"),
        ("+254112345678", "254112345678"),
        ("112345678", "254112345678"),
        (" 0712345678\t", "254712345678"),
    ],
)
def test_phone_forms_normalise(given: str, expected: str) -> None:
    assert normalize_phone(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "",
        "07123",
        "071234567",  # 9 digits after the 0
        "07123456789",  # one too many
        "0812345678",  # not a mobile prefix
        "+255712345678",  # Tanzania
        "2547123456789",
        "0712345678x",
        "++254712345678",
        "07١٢345678",  # noqa: RUF001 - Arabic-Indic digits are not ASCII digits
        "phone",
        "0712_345_678",
    ],
)
def test_bad_phones_are_refused(given: str) -> None:
    with pytest.raises(InvalidPhoneNumberError) as info:
        normalize_phone(given)
    assert info.value.status == 0  # raised locally, nothing was sent
    assert isinstance(info.value, InputError)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("given", [None, 712345678, b"0712345678", ["0712345678"]])
def test_non_string_phones_are_refused(given: object) -> None:
    with pytest.raises(InvalidPhoneNumberError):
        normalize_phone(given)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "expected"),
    [(1, 1), (1000, 1000), (Decimal("1000"), 1000), (Decimal("1000.00"), 1000), (250.0, 250)],
)
def test_whole_amounts(given: int | Decimal | float, expected: int) -> None:
    got = validate_whole_amount(given)
    assert got == expected
    assert type(got) is int


@pytest.mark.parametrize(
    "given",
    [0, -5, Decimal("0.5"), Decimal("10.50"), 10.5, float("nan"), float("inf"),
     Decimal("NaN"), Decimal("Infinity"), True, False, "1000", None, [1000]],
)  # fmt: skip
def test_bad_amounts(given: object) -> None:
    with pytest.raises(InvalidAmountError):
        validate_whole_amount(given)  # type: ignore[arg-type]


def test_amount_range_is_inclusive() -> None:
    assert validate_whole_amount(10, minimum=10, maximum=150_000) == 10
    assert validate_whole_amount(150_000, minimum=10, maximum=150_000) == 150_000
    with pytest.raises(InvalidAmountError, match="at most 150,000"):
        validate_whole_amount(150_001, minimum=10, maximum=150_000)


@pytest.mark.parametrize("key", ["k", "order-12345-attempt-1", "x" * 180, "a:b/c_d.e~f"])
def test_good_idempotency_keys(key: str) -> None:
    assert validate_idempotency_key(key) == key


@pytest.mark.parametrize(
    "key", ["", "x" * 181, "has space", "new\nline", "ключ", "tab\there", 42, None]
)
def test_bad_idempotency_keys(key: object) -> None:
    with pytest.raises(InvalidIdempotencyKeyError):
        validate_idempotency_key(key)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["", "   ", "x" * 256, 5, None])
def test_bad_texts(value: object) -> None:
    with pytest.raises(InvalidParameterError) as info:
        validate_text(value, name="reference")  # type: ignore[arg-type]
    assert info.value.parameter == "reference"


@pytest.mark.parametrize(
    "url",
    ["ftp://x.example/", "/relative", "shop.example/cb", "https://", "http://a b.example/", 7],
)
def test_bad_callback_urls(url: object) -> None:
    with pytest.raises(InvalidParameterError):
        validate_callback_url(url)  # type: ignore[arg-type]


def test_good_callback_urls() -> None:
    assert validate_callback_url(None) is None
    assert validate_callback_url("https://shop.example/paylor?x=1") == (
        "https://shop.example/paylor?x=1"
    )


@pytest.mark.parametrize(
    "text", ["\u200b", "\u200b\u200b ", "\ufeff", "A\x00B", "line\nbreak", "tab\there"]
)
def test_invisible_or_control_text_is_refused(text: str) -> None:
    with pytest.raises(InvalidParameterError):
        validate_text(text, name="reference")


@pytest.mark.parametrize(
    "url", ["http://x:99999/", "https://shop.example:0/hook", "https://shop.example:abc/"]
)
def test_callback_url_with_a_bad_port_is_refused(url: str) -> None:
    with pytest.raises(InvalidParameterError):
        validate_callback_url(url)


@pytest.mark.parametrize("tid", [" 665f4c1b9a8d2e001f2a1234", "665f4c1b9a8d2e001f2a1234 ", ".."])
async def test_padded_or_dot_ids_are_refused_before_sending(tid: str) -> None:
    from paylor_async import PaylorClient

    async with PaylorClient("pk_test_ids_0001", base_url="http://127.0.0.1:9/api/v1") as c:
        with pytest.raises(InvalidParameterError):
            await c.transactions.retrieve(tid)
        with pytest.raises(InvalidParameterError):
            await c.global_payments.collections.retrieve(tid)

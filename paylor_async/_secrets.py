"""Keeping the API key out of reprs, logs and error messages."""

from __future__ import annotations

from .errors import ConfigurationError

__all__ = ["ApiKey", "mask"]


def mask(secret: str) -> str:
    """``sk_live_…abcd``: enough to tell keys apart, never enough to use one."""
    if len(secret) < 12:
        return "…"
    prefix = secret.split("_", 1)[0] + "_" if "_" in secret[:8] else ""
    return f"{prefix}…{secret[-4:]}"


class ApiKey:
    """An API key that does not print itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value.strip():
            raise ConfigurationError(
                "no Paylor API key: pass api_key=... or set the PAYLOR_API_KEY environment variable"
            )
        if value != value.strip() or any(ch.isspace() or not ch.isprintable() for ch in value):
            raise ConfigurationError(
                "the Paylor API key contains spaces or control characters; check how it was loaded"
            )
        self._value = value

    def reveal(self) -> str:
        """The key itself, for the Authorization header only."""
        return self._value

    def redact(self, text: str) -> str:
        """``text`` with every occurrence of the key replaced."""
        return text.replace(self._value, "[redacted]") if self._value in text else text

    def __repr__(self) -> str:
        return f"ApiKey({mask(self._value)!r})"

    __str__ = __repr__

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("API keys are not picklable")

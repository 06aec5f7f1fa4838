"""Webhook signature verification. Standalone: importing it never imports aiohttp."""

from ._signature import compute_signature

__all__ = ["compute_signature"]

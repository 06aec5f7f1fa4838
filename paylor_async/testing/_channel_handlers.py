"""Channel management (EARLY shapes): list, create, update, delete, and their routes.

These count against the ``channels`` rate-limit group (120/min), apart from payments.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._idempotency import remember, replay
from ._responses import INVALID_JSON, ApiError, ApiResponse, FieldProblem
from ._routing import RequestContext, Route
from ._state import SimChannel, SimState
from ._validation import MAX_TEXT

__all__ = ["CHANNEL_ROUTES", "create_channel", "delete_channel", "list_channels", "update_channel"]

CHANNEL_TYPES = ("TILL", "PAYBILL", "BANK")
CHANNEL_STATUSES = ("ACTIVE", "INACTIVE")
NUMBER_RE = re.compile(r"^\d{1,20}$")
#: Wire name -> attribute of :class:`SimChannel`, for every field a PATCH may change.
UPDATABLE = {
    "name": "name",
    "status": "status",
    "type": "type",
    "number": "number",
    "bankName": "bank_name",
    "accountNumber": "account_number",
}


def _check_fields(body: Mapping[str, object], problems: list[FieldProblem]) -> dict[str, Any]:
    """Check every present field of ``body``; return the valid ones by attribute name."""
    clean: dict[str, Any] = {}
    for wire, attribute in UPDATABLE.items():
        if wire not in body:
            continue
        value = body[wire]
        if not isinstance(value, str):
            problems.append(FieldProblem(wire, f"{wire} must be a string", "invalid_type"))
        elif not value.strip() or len(value) > MAX_TEXT:
            problems.append(
                FieldProblem(wire, f"{wire} must be 1 to {MAX_TEXT} characters", "invalid_string")
            )
        elif wire == "type" and value not in CHANNEL_TYPES:
            problems.append(
                FieldProblem(
                    wire, f"type must be one of {', '.join(CHANNEL_TYPES)}", "invalid_enum"
                )
            )
        elif wire == "status" and value not in CHANNEL_STATUSES:
            problems.append(
                FieldProblem(
                    wire, f"status must be one of {', '.join(CHANNEL_STATUSES)}", "invalid_enum"
                )
            )
        elif wire == "number" and not NUMBER_RE.fullmatch(value):
            problems.append(FieldProblem(wire, "number must be digits", "invalid_string"))
        else:
            clean[attribute] = value
    return clean


def _duplicate(
    state: SimState, type: str, number: str, other_than: str | None
) -> FieldProblem | None:
    if state.channel_with(type, number, other_than=other_than) is None:
        return None
    return FieldProblem("number", f"A {type} channel with number {number} already exists")


def _own_channel(ctx: RequestContext) -> SimChannel:
    channel = ctx.state.channels.get(ctx.params["channelId"])
    if channel is None or channel.merchant_id != ctx.key.merchant_id:
        raise ApiError.not_found("Channel not found")
    return channel


def list_channels(ctx: RequestContext) -> ApiResponse:
    """``GET /merchants/channels``: ``{"channels": [...]}``, every status, unpaged."""
    channels = [c.to_api() for c in ctx.state.channels.values()]
    return ApiResponse.json(200, {"channels": channels})


def create_channel(ctx: RequestContext) -> ApiResponse:
    """``POST /merchants/channels``: 201 ``{"message", "channel"}``; a duplicate is a 400."""
    state = ctx.state
    key, stored = replay(ctx)
    if stored is not None:
        return stored
    body = ctx.json
    if body is INVALID_JSON or not isinstance(body, dict):
        raise ApiError.validation([FieldProblem("body", "body must be a JSON object")])
    problems: list[FieldProblem] = []
    clean = _check_fields({k: v for k, v in body.items() if k != "status"}, problems)
    for wire in ("name", "type", "number"):
        if body.get(wire) is None:
            problems.append(FieldProblem(wire, f"{wire} is required"))
    if clean.get("type") == "BANK":
        for wire in ("bankName", "accountNumber"):
            if body.get(wire) is None:
                problems.append(FieldProblem(wire, f"{wire} is required for BANK channels"))
    if not problems:
        duplicate = _duplicate(state, clean["type"], clean["number"], None)
        if duplicate is not None:
            problems.append(duplicate)
    if problems:
        raise ApiError.validation(problems)
    channel = state.add_channel(
        name=clean["name"],
        type=clean["type"],
        number=clean["number"],
        bank_name=clean.get("bank_name"),
        account_number=clean.get("account_number"),
    )
    response = ApiResponse.json(
        201, {"message": "Channel created successfully", "channel": channel.to_api()}
    )
    remember(ctx, key, response, channel.id)
    return response


def update_channel(ctx: RequestContext) -> ApiResponse:
    """``PATCH /merchants/channels/{id}``: any of the fields; 404 for an unknown id."""
    channel = _own_channel(ctx)
    body = ctx.json
    if body is INVALID_JSON or not isinstance(body, dict):
        raise ApiError.validation([FieldProblem("body", "body must be a JSON object")])
    problems: list[FieldProblem] = []
    changes = _check_fields(body, problems)
    if not problems and not changes:
        problems.append(FieldProblem("body", "at least one field must be given"))
    if not problems and ("type" in changes or "number" in changes):
        type_ = changes.get("type", channel.type)
        number = changes.get("number", channel.number)
        duplicate = _duplicate(ctx.state, type_, number, channel.id)
        if duplicate is not None:
            problems.append(duplicate)
    if problems:
        raise ApiError.validation(problems)
    ctx.state.update_channel(channel, changes)
    return ApiResponse.json(
        200, {"message": "Channel updated successfully", "channel": channel.to_api()}
    )


def delete_channel(ctx: RequestContext) -> ApiResponse:
    """``DELETE /merchants/channels/{id}``: ``{"message"}``; 404 for an unknown id."""
    channel = _own_channel(ctx)
    ctx.state.delete_channel(channel)
    return ApiResponse.json(200, {"message": "Channel deleted successfully"})


_ONE = "/merchants/channels/{channelId}"
CHANNEL_ROUTES: tuple[Route, ...] = (
    Route(
        "channel_list", "GET", "/merchants/channels", ("channels:read",), "channels", list_channels
    ),
    Route(
        "channel_create",
        "POST",
        "/merchants/channels",
        ("channels:create",),
        "channels",
        create_channel,
    ),
    Route("channel_update", "PATCH", _ONE, ("channels:update",), "channels", update_channel),
    Route("channel_delete", "DELETE", _ONE, ("channels:delete",), "channels", delete_channel),
)

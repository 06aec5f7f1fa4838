"""Django adapter: a view decorator for sync and async views.

::

    from paylor_async.webhooks import InMemoryDedupe, WebhookVerifier
    from paylor_async.webhooks.django import webhook_view

    verifier = WebhookVerifier(secrets=[settings.PAYLOR_WEBHOOK_SECRET], dedupe=InMemoryDedupe())

    @webhook_view(verifier)
    def paylor_webhook(request, event):  # or: async def
        if isinstance(event, PaymentEvent) and event.succeeded:
            Order.objects.filter(reference=event.reference, paid=False).update(paid=True)

The decorated view reads ``request.body`` once, verifies it, claims the event and calls your
view with it; the view is exempt from CSRF (Paylor cannot send a token; the signature is the
proof) and only accepts POST (405 otherwise). Your view may return ``None`` (answered 200
``{"received": true}``) or its own response; the event is then marked done. Answers: 401 bad
or missing signature, 400 signed but not an event (or a body that cannot be read: the client
went away), 413 a body over Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (default 2.5 MB: set it
lower, e.g. ``1024 * 1024``, to bound what is buffered), 200 for a duplicate without calling
your view, 409 without calling it while another attempt at the event is running, 500 when
your view raises (the dedupe claim is released first, so Paylor's retry is processed).

In a sync view the async dedupe store is driven through ``asgiref.sync.async_to_sync``
(asgiref ships with Django). Django is imported by this module only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync, iscoroutinefunction, markcoroutinefunction

from ._dispatch import Answer, complete_quietly, rejection, too_large, unreadable
from ._events import WebhookEvent
from ._verifier import WebhookVerifier

__all__ = ["webhook_view"]

View = Callable[..., Any]


def webhook_view(verifier: WebhookVerifier) -> Callable[[View], View]:
    """Decorate ``view(request, event, *args, **kwargs)`` (sync or async) to receive webhooks.

    Args:
        verifier: the :class:`WebhookVerifier` (secrets and dedupe store).

    Returns:
        A decorator; the decorated view takes ``(request, *args, **kwargs)`` like any view.
    """

    def decorate(view: View) -> View:
        from django.views.decorators.csrf import csrf_exempt  # type: ignore[import-untyped]

        wrapper = (
            _async_view(verifier, view) if iscoroutinefunction(view) else _sync_view(verifier, view)
        )
        return csrf_exempt(functools.wraps(view)(wrapper))  # type: ignore[no-any-return]

    return decorate


def _async_view(verifier: WebhookVerifier, view: View) -> View:
    async def paylor_webhook_view(request: Any, *args: Any, **kwargs: Any) -> Any:
        refused = _refuse_method(request)
        if refused is not None:
            return refused
        body = _read_body(request)
        if isinstance(body, Answer):
            return _json(body)
        try:
            event = await verifier.verify(body, request.headers)
        except Exception as exc:
            return _answer_or_raise(exc)
        try:
            result = await view(request, event, *args, **kwargs)
        except BaseException:
            await verifier.release(event)
            raise
        await complete_quietly(verifier, event)
        return _received(result)

    return markcoroutinefunction(paylor_webhook_view)


def _sync_view(verifier: WebhookVerifier, view: View) -> View:
    def paylor_webhook_view(request: Any, *args: Any, **kwargs: Any) -> Any:
        refused = _refuse_method(request)
        if refused is not None:
            return refused
        body = _read_body(request)
        if isinstance(body, Answer):
            return _json(body)
        try:
            event = _verify_blocking(verifier, body, request.headers)
        except Exception as exc:
            return _answer_or_raise(exc)
        try:
            result = view(request, event, *args, **kwargs)
        except BaseException:
            if verifier.dedupe is not None:
                async_to_sync(verifier.release)(event)
            raise
        if verifier.dedupe is not None:
            async_to_sync(complete_quietly)(verifier, event)
        return _received(result)

    return paylor_webhook_view


def _read_body(request: Any) -> bytes | Answer:
    """``request.body``, or the answer when it is too large (413) or unreadable (400)."""
    from django.core.exceptions import RequestDataTooBig  # type: ignore[import-untyped]
    from django.http import UnreadablePostError  # type: ignore[import-untyped]

    try:
        body: bytes = request.body
    except RequestDataTooBig:
        from django.conf import settings  # type: ignore[import-untyped]

        return too_large(int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0))
    except UnreadablePostError as exc:  # the client went away mid-body
        return unreadable(type(exc).__name__)
    return body


def _verify_blocking(verifier: WebhookVerifier, body: bytes, headers: object) -> WebhookEvent:
    if verifier.dedupe is None:
        return verifier.verify_sync(body, headers)
    return async_to_sync(verifier.verify)(body, headers)


def _refuse_method(request: Any) -> Any:
    if request.method == "POST":
        return None
    from django.http import HttpResponseNotAllowed

    return HttpResponseNotAllowed(["POST"])


def _answer_or_raise(exc: Exception) -> Any:
    answer = rejection(exc)
    if answer is None:
        raise exc
    return _json(answer)


def _received(result: Any) -> Any:
    if result is not None:
        return result
    from ._dispatch import RECEIVED

    return _json(RECEIVED)


def _json(answer: Answer) -> Any:
    from django.http import JsonResponse

    return JsonResponse(answer.body, status=answer.status)

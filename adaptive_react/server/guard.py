"""ASGI middleware in front of every route: API-key authentication and a request size limit.

Keys map to users; the user becomes the namespace for that caller's threads and learned
strategies (see :mod:`.runnable`), so the key is the only thing that decides whose data a
request may touch. Comparison is constant-time. Oversized bodies are refused with 413 whether
they announce their length or stream it chunked.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_KEY_HEADER = "x-api-key"
#: Paths answered without a key: a liveness probe carries no data.
PUBLIC_PATHS = frozenset({"/ok"})
#: The user (and namespace) of requests when the server runs without keys (loopback only).
ANONYMOUS = "default"
_CHALLENGE = {"www-authenticate": 'ApiKey header="X-API-Key"'}


class _TooLarge(Exception):
    pass


def user_of(keys: Mapping[str, str], presented: str) -> str | None:
    """The user whose key was presented, comparing every key in constant time."""
    found = None
    for user, key in keys.items():
        if hmac.compare_digest(key.encode(), presented.encode()):
            found = user
    return found


class Guard:
    """Authenticate (``X-API-Key`` or ``Authorization: Bearer``) and cap request bodies."""

    def __init__(self, app: ASGIApp, *, keys: Mapping[str, str], max_body_bytes: int) -> None:
        self.app = app
        self.keys = dict(keys)
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse oversized or unauthenticated requests; record the user in ``scope["state"]``."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body_bytes:
            await self._too_large()(scope, receive, send)
            return
        user = self._authenticate(headers)
        if user is None and scope["path"] not in PUBLIC_PATHS:
            unknown = JSONResponse({"detail": "missing or unknown API key"}, 401, _CHALLENGE)
            await unknown(scope, receive, send)
            return
        scope.setdefault("state", {})["user"] = user or ANONYMOUS
        await self._forward(scope, receive, send)

    def _authenticate(self, headers: Mapping[str, str]) -> str | None:
        if not self.keys:
            return ANONYMOUS
        presented = headers.get(API_KEY_HEADER, "")
        auth = headers.get("authorization", "")
        if not presented and auth.lower().startswith("bearer "):
            presented = auth[7:].strip()
        return user_of(self.keys, presented) if presented else None

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    raise _TooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except _TooLarge:
            if not started:
                await self._too_large()(scope, receive, send)

    def _too_large(self) -> JSONResponse:
        return JSONResponse({"detail": f"request body over {self.max_body_bytes} bytes"}, 413)


def load_api_keys(path: str) -> dict[str, str]:
    """Read ``{"user": "key", ...}`` from a JSON file; users become namespaces.

    Raises:
        ValueError: When the file is not such an object, a key is short, or a user name is not
            a valid namespace (empty or containing a dot).
    """
    with open(path, encoding="utf-8") as fh:
        data: Any = json.load(fh)
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{path}: expected a JSON object mapping user names to API keys")
    for user, key in data.items():
        if not isinstance(key, str) or len(key) < 16:
            raise ValueError(f"{path}: the key of {user!r} must be a string of 16+ characters")
        if not user or "." in user or ":" in user:
            raise ValueError(f"{path}: user name {user!r} must be non-empty, without '.' or ':'")
    if len(set(data.values())) != len(data):
        raise ValueError(f"{path}: two users share one key")
    return {str(u): str(k) for u, k in data.items()}

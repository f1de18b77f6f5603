"""The FastAPI app: every graph in :data:`GRAPHS` under ``/<name>``, with the playground.

Routes per graph (LangServe): ``invoke``, ``batch``, ``stream``, ``stream_log``,
``stream_events``, ``input_schema``, ``output_schema``, ``config_schema``, ``playground``.
Plus ``/ok`` (no key) for liveness probes and ``/<name>/threads/{thread_id}/state`` to read a
thread's latest state (the caller's own threads only).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from langgraph.graph import StateGraph

from .guard import Guard
from .persistence import open_async_persistence
from .runnable import ServedGraph, context_defaults, scope_config

#: Served graphs: URL path -> "module:attribute" of an *uncompiled* StateGraph builder.
#: The same graphs as langgraph.json; adding a graph is one line in each.
GRAPHS: dict[str, str] = {
    "react": "adaptive_react.graph.react:builder",
    "workflow": "adaptive_react.graph.workflow:workflow_builder",
}


@dataclass
class ServerSettings:
    """What the operator decides for every request.

    Attributes:
        model: Model spec (or chat model object) every run uses; callers cannot change it.
        db: SQLite path or ``postgresql://`` URL for checkpoints and learned strategies.
        api_keys: ``{user: key}``; empty means no authentication (serve on loopback only).
        max_body_bytes: Larger request bodies are refused with 413.
        cors_origins: Origins allowed to call from a browser; none (CORS off) by default.
        max_steps: Default step budget; callers may choose up to the package limit.
        graphs: Served graphs (default :data:`GRAPHS`).
    """

    model: Any = "local"
    db: str | None = None
    api_keys: Mapping[str, str] = field(default_factory=dict)
    max_body_bytes: int = 1_000_000
    cors_origins: list[str] = field(default_factory=list)
    max_steps: int = 8
    graphs: Mapping[str, str] = field(default_factory=lambda: dict(GRAPHS))


def _load_builder(spec: str) -> StateGraph[Any, Any, Any, Any]:
    module, _, attr = spec.partition(":")
    builder = getattr(importlib.import_module(module), attr)
    if not isinstance(builder, StateGraph):
        raise TypeError(f"{spec} is not an uncompiled StateGraph")
    return builder


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """Build the app; persistence opens when the server starts and closes when it stops."""
    from langserve import add_routes

    settings = settings or ServerSettings()
    defaults = context_defaults(settings.model, settings.max_steps)
    served = {
        name: ServedGraph(name, _load_builder(spec), defaults)
        for name, spec in settings.graphs.items()
    }

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_async_persistence(settings.db) as (saver, store):
            for runnable in served.values():
                runnable.attach(saver, store)
            yield

    app = FastAPI(
        title="adaptive-react",
        version="0.1.0",
        lifespan=lifespan,
        description="The adaptive react loop over LangServe.",
    )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        # FastAPI's default handler echoes the input and fails (500) on text that cannot be
        # encoded, e.g. a JSON-escaped lone surrogate; ASCII-escaped JSON always encodes.
        body = json.dumps({"detail": jsonable_encoder(exc.errors())}, ensure_ascii=True)
        return Response(body, status_code=422, media_type="application/json")

    @app.get("/ok", include_in_schema=False)
    async def ok() -> dict[str, bool]:
        return {"ok": True}

    for name, runnable in served.items():
        add_routes(
            app,
            runnable,
            path=f"/{name}",
            config_keys=["configurable"],
            per_req_config_modifier=scope_config,
        )
        _add_state_route(app, name, runnable)

    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["*"],
        )
    # Added last so it runs first: nothing reaches a route unauthenticated or oversized.
    app.add_middleware(Guard, keys=settings.api_keys, max_body_bytes=settings.max_body_bytes)
    return app


def _add_state_route(app: FastAPI, name: str, runnable: ServedGraph) -> None:
    @app.get(f"/{name}/threads/{{thread_id}}/state", tags=[name])
    async def thread_state(thread_id: str, request: Request) -> dict[str, Any]:
        """The latest state of one of the caller's threads (404 for anyone else's)."""
        config = scope_config({"configurable": {"thread_id": thread_id}}, request)
        snapshot = await runnable.graph.aget_state(config)  # type: ignore[arg-type]
        if not snapshot.values:
            raise HTTPException(404, f"no thread {thread_id!r}")
        return {"values": jsonable_encoder(snapshot.values), "next": list(snapshot.next)}

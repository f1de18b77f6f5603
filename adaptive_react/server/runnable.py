"""A graph as LangServe serves it: context from the request, threads and strategies per user.

LangServe (0.3) knows nothing of LangGraph's ``context=``, and it drops ``configurable`` keys
the runnable does not declare. :class:`ServedGraph` fixes both in the open: it declares
``thread_id`` as a configurable field (so LangServe keeps it and the playground shows it),
takes an optional ``context`` object in the *input* (so ``/input_schema`` describes it and the
playground renders it), and calls the graph with ``context=Context(...)``.

Only the fields in :class:`ClientContext` are the caller's to choose. The model, the namespace,
file locations and human approval are the server's: a caller who could name a model URL could
make the server call any address, and a caller who could name a namespace could read another
user's strategies. :func:`scope_config` puts the authenticated user into the config; the user
prefixes every thread id, so one user's ``t1`` is never another's.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any, cast, get_type_hints

from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.runnables.utils import ConfigurableFieldSpec
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import StateGraph
from langgraph.pregel import Pregel
from langgraph.store.base import BaseStore
from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator
from starlette.requests import Request

from ..agent import MAX_STEPS_LIMIT
from ..graph import RECURSION_LIMIT
from ..state import Context

#: Graph inputs a caller may not send: ``files`` are paths on the server's disk, which the
#: agent would copy into its sandbox with the server's rights.
SERVER_ONLY_INPUT = frozenset({"files"})

#: Where :func:`scope_config` puts the authenticated user; callers cannot set it.
USER_KEY = "adaptive_react_user"
_CONTEXT_HELP = "Optional per-run settings; the server decides model, namespace and files."


def _no_null_branches(schema: dict[str, Any]) -> None:
    # "Not chosen" is an absent field; drop the null branch and null default from the schema.
    for prop in schema.get("properties", {}).values():
        branches = prop.pop("anyOf", None)
        if branches:
            prop.update(next(b for b in branches if b.get("type") != "null"))
        if prop.get("default", 0) is None:
            del prop["default"]


class ClientContext(BaseModel):
    """Per-run settings a caller may choose; everything else is the server's.

    Its JSON schema has no ``null`` branches (the LangServe playground's form renderer cannot
    draw them): an unset field is simply absent.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra=_no_null_branches)

    max_steps: int | None = Field(
        default=None,
        ge=1,
        le=MAX_STEPS_LIMIT,
        description="Act/validate cycles allowed before stopping.",
    )
    temperature: float | None = Field(
        default=None, ge=0, le=2, description="Sampling temperature of the first attempt."
    )
    retry_temperature: float | None = Field(
        default=None, ge=0, le=2, description="Temperature of retries."
    )
    use_skills: bool | None = Field(
        default=None, description="Reuse verified skills for known patterns."
    )
    learning: bool | None = Field(default=None, description="Record outcomes in the store.")


def _unencodable(value: Any) -> bool:
    # Lone surrogates (JSON-escaped ones survive parsing) are the only text UTF-8 refuses.
    try:
        json.dumps(value, ensure_ascii=False, default=str, skipkeys=True).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class _EncodableInput(BaseModel):
    """Base of served inputs: known fields only, valid Unicode (no JSON-escaped surrogates)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _valid_unicode(cls, data: Any) -> Any:
        if _unencodable(data):
            raise ValueError("input contains text that is not valid Unicode (lone surrogate)")
        return data


def scope_config(config: dict[str, Any], request: Request) -> dict[str, Any]:
    """LangServe's ``per_req_config_modifier``: the caller's thread, inside the caller's scope.

    Everything the client sent under ``configurable`` is dropped except ``thread_id``, which is
    prefixed with the authenticated user (set by the guard middleware). A request without a
    thread gets a fresh one.
    """
    user = str(getattr(request.state, "user", "") or "")
    if not user:
        raise RuntimeError("scope_config needs the guard middleware in front of the app")
    sent = config.get("configurable") or {}
    thread = str(sent.get("thread_id") or f"anon-{uuid.uuid4().hex}")
    return {**config, "configurable": {"thread_id": f"{user}:{thread}", USER_KEY: user}}


class ServedGraph(Runnable[dict[str, Any], dict[str, Any]]):
    """Serve a graph builder with a server-side :class:`Context` and per-user scoping.

    The graph is compiled again by :meth:`attach` because its checkpointer and store are
    opened on the server's event loop, after the routes exist.
    """

    def __init__(self, name: str, builder: StateGraph[Any, Any, Any, Any], defaults: Context):
        """Serve under ``name``; the schemas come from ``builder`` compiled without persistence."""
        self.name = name
        self._builder = builder
        self._schema_graph = builder.compile(name=f"adaptive-react-{name}")
        self._graph: Pregel[Any, Any, Any, Any] | None = None
        self.defaults = defaults
        fields = _input_fields(builder.input_schema)
        fields = {n: f for n, f in fields.items() if n not in SERVER_ONLY_INPUT}
        self._input_model: type[BaseModel] = create_model(  # type: ignore[call-overload]
            f"{name.title()}Input",
            __base__=_EncodableInput,
            **fields,
            context=(ClientContext, Field(default=None, description=_CONTEXT_HELP)),
        )

    def attach(self, checkpointer: BaseCheckpointSaver[Any], store: BaseStore) -> None:
        """Run on a graph compiled with the server's checkpointer and store from now on."""
        compiled = self._builder.compile(
            checkpointer=checkpointer, store=store, name=f"adaptive-react-{self.name}"
        )
        self._graph = compiled.with_config(recursion_limit=RECURSION_LIMIT)

    @property
    def graph(self) -> Pregel[Any, Any, Any, Any]:
        """The compiled graph; raises until the server has attached it."""
        if self._graph is None:
            raise RuntimeError(f"graph {self.name!r} is not attached yet (server not started)")
        return self._graph

    @property
    def InputType(self) -> Any:  # noqa: N802 - Runnable's API
        """The input type: the graph's input plus ``context``."""
        return self._input_model

    @property
    def OutputType(self) -> Any:  # noqa: N802 - Runnable's API
        """The graph's output type."""
        return self._schema_graph.get_output_schema()

    def get_input_schema(self, config: RunnableConfig | None = None) -> type[BaseModel]:
        """The graph's input schema plus the optional ``context`` object."""
        return self._input_model

    def get_output_schema(self, config: RunnableConfig | None = None) -> type[BaseModel]:
        """The graph's output schema."""
        return self._schema_graph.get_output_schema(config)

    @property
    def config_specs(self) -> list[ConfigurableFieldSpec]:
        """``thread_id``: declared so LangServe keeps it and the playground offers it."""
        return [
            ConfigurableFieldSpec(
                id="thread_id",
                annotation=str,
                name="Thread ID",
                default="",
                description="Conversation thread; reuse it to continue a run or read its state.",
            )
        ]

    def split(self, input: Any, config: RunnableConfig | None) -> tuple[dict[str, Any], Context]:
        """The graph's input and the run's context for one request."""
        data = input.model_dump(exclude_none=True) if isinstance(input, BaseModel) else dict(input)
        for name in SERVER_ONLY_INPUT:  # also when a Python caller bypasses the schema
            data.pop(name, None)
        sent = data.pop("context", None) or {}
        if isinstance(sent, BaseModel):
            sent = sent.model_dump()
        # Forms (the playground) send every field, unset ones as null: null means "not chosen".
        sent = {k: v for k, v in dict(sent).items() if v is not None}
        overrides = ClientContext.model_validate(sent).model_dump(exclude_none=True)
        if user := ((config or {}).get("configurable") or {}).get(USER_KEY):
            overrides["namespace"] = str(user)
        return data, dataclasses.replace(self.defaults, **overrides)

    def invoke(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Run the graph to the end."""
        payload, ctx = self.split(input, config)
        return cast(dict[str, Any], self.graph.invoke(payload, config, context=ctx, **kwargs))

    async def ainvoke(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Run the graph to the end."""
        payload, ctx = self.split(input, config)
        out = await self.graph.ainvoke(payload, config, context=ctx, **kwargs)
        return cast(dict[str, Any], out)

    def stream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[dict[str, Any]]:
        """Stream the output after every step."""
        payload, ctx = self.split(input, config)
        yield from self.graph.stream(
            payload, config, context=ctx, **{"stream_mode": "values", **kwargs}
        )

    async def astream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[dict[str, Any]]:
        """Stream the output after every step."""
        payload, ctx = self.split(input, config)
        async for chunk in self.graph.astream(
            payload, config, context=ctx, **{"stream_mode": "values", **kwargs}
        ):
            yield chunk


def _input_fields(schema: Any) -> dict[str, Any]:
    """Pydantic field definitions of a graph's input schema (dataclass, model or TypedDict)."""
    if schema is None:
        return {}
    hints = get_type_hints(schema, include_extras=True)
    if dataclasses.is_dataclass(schema):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(schema):
            if f.default is not dataclasses.MISSING:
                out[f.name] = (hints[f.name], Field(default=f.default))
            elif f.default_factory is not dataclasses.MISSING:
                out[f.name] = (hints[f.name], Field(default_factory=f.default_factory))
            else:
                out[f.name] = (hints[f.name], ...)
        return out
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return {n: (f.annotation, f) for n, f in schema.model_fields.items()}
    required = getattr(schema, "__required_keys__", frozenset(hints))
    return {n: (t, ... if n in required else None) for n, t in hints.items()}


def context_defaults(model: Any, max_steps: int) -> Context:
    """The server's context: its model and budget; python on, approval off (no one to ask)."""
    return Context(model=model, max_steps=max_steps, require_approval=False)

"""Store access that works in both execution paths of a node.

Nodes are coroutines. Under an async server they must use the store's async API; when a
caller uses ``graph.invoke`` with a synchronous store (``SqliteStore`` has no async API),
the same coroutine runs on a private loop and falls back to the sync methods.
"""

from __future__ import annotations

from typing import Any

from langgraph.store.base import BaseStore, Item, SearchItem


async def aget(store: BaseStore, namespace: tuple[str, ...], key: str) -> Item | None:
    """Read one item."""
    try:
        return await store.aget(namespace, key)
    except NotImplementedError:
        return store.get(namespace, key)


async def aput(
    store: BaseStore, namespace: tuple[str, ...], key: str, value: dict[str, Any]
) -> None:
    """Write one item (no embedding index)."""
    try:
        await store.aput(namespace, key, value, index=False)
    except NotImplementedError:
        store.put(namespace, key, value, index=False)


async def adelete(store: BaseStore, namespace: tuple[str, ...], key: str) -> None:
    """Delete one item."""
    try:
        await store.adelete(namespace, key)
    except NotImplementedError:
        store.delete(namespace, key)


async def asearch(
    store: BaseStore, prefix: tuple[str, ...], *, limit: int = 1000, offset: int = 0
) -> list[SearchItem]:
    """List items under a namespace prefix."""
    try:
        return await store.asearch(prefix, limit=limit, offset=offset)
    except NotImplementedError:
        return store.search(prefix, limit=limit, offset=offset)


async def asearch_all(
    store: BaseStore, prefix: tuple[str, ...], page: int = 500
) -> list[SearchItem]:
    """Every item under a prefix, paging so no event is missed."""
    items: list[SearchItem] = []
    while True:
        batch = await asearch(store, prefix, limit=page, offset=len(items))
        items.extend(batch)
        if len(batch) < page:
            return items

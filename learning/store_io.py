"""The store operations the learning layer needs beyond ``get``.

Writes skip the embedding index (nothing here is searched by meaning), and listings page
through the store so a namespace with more events than one page loses none of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langgraph.store.base import BaseStore, Item, SearchItem

# Every namespace the learning layer writes starts with this.
ROOT = "adaptive_react"


def put(store: BaseStore, namespace: tuple[str, ...], key: str, value: dict[str, Any]) -> None:
    """Write one item (no embedding index)."""
    store.put(namespace, key, value, index=False)


def search_all(store: BaseStore, prefix: tuple[str, ...], page: int = 500) -> list[SearchItem]:
    """Every item under a prefix, paging so no event is missed."""
    items: list[SearchItem] = []
    while True:
        batch = store.search(prefix, limit=page, offset=len(items))
        items.extend(batch)
        if len(batch) < page:
            return items


def delete(store: BaseStore, items: Sequence[Item]) -> int:
    """Delete listed items wherever they live; returns how many."""
    for item in items:
        store.delete(tuple(item.namespace), item.key)
    return len(items)

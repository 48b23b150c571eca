"""What waits for each user on the home page; modules register providers here."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass
class InboxItem:
    title: str
    url: str
    detail: str = ""
    due: str = ""
    kind: str = ""


_providers: list[Callable] = []


def provider(func: Callable) -> Callable:
    """Register a function(user) -> list[InboxItem]."""
    _providers.append(func)
    return func


def items_for(user) -> list[InboxItem]:
    """Everything that waits for this user, from every module."""
    out: list[InboxItem] = []
    for func in _providers:
        out.extend(func(user))
    return out

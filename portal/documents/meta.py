"""Extra content a module keeps in a revision's meta, edited in the revision editor (an extension point).

The records module registers the field schema of forms (`F`): documents never import records."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass
class MetaField:
    """A text-edited value kept in `revision.meta[key]` for documents of one type."""
    doc_type: str
    key: str
    parse: Callable[[str], tuple[object, list]]  # text -> (value, errors)
    text: Callable[[object, str], str]  # (current value or None, document code) -> the text to edit


_fields: dict[str, MetaField] = {}


def register(field: MetaField) -> None:
    """Register (or replace) the meta field of a document type."""
    _fields[field.doc_type] = field


def for_type(doc_type: str) -> MetaField | None:
    """The meta field edited for this document type, if a module registered one."""
    return _fields.get(doc_type)

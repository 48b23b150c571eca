"""The closed loop's two extension points. A module above or beside capa registers here what it can offer:

- `register_source(kind, *, label, loader)`: `loader(ref) -> SourceEvidence | None` describes one thing an NC can be
  opened from ("a RETURN cluster of team X in November", "floor-monitoring finding 12"). `/capa/new?source=<kind>&ref=<ref>`
  opens the new-NC form pre-filled from it; the NC keeps the kind, the ref and the evidence links.
- `register_criterion(kind, *, label, evaluator)`: `evaluator(params, since) -> CriterionResult` reads an
  effectiveness criterion automatically ("the KPI meets target for N following periods"): the "read now" button and
  the daily `capa.read_checks` schedule call it.

capa registers `tapping` and `coaching` sources and the `manual` criterion itself (sources.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable


@dataclass
class SourceEvidence:
    """What a source says about the thing an NC is opened from."""
    title: str
    description: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)
    site_id: int | None = None
    service_id: int | None = None
    service_code: str = ""  # when the source knows the service by code only
    occurred_on: date | None = None
    source: str = ""  # one of models.SOURCES the NC is filed under ("tapping", "kpi", ...)


@dataclass
class CriterionResult:
    status: str  # met | not_met | pending
    detail: str = ""


@dataclass
class Source:
    kind: str
    label: object
    loader: Callable[[str], SourceEvidence | None]


@dataclass
class Criterion:
    kind: str
    label: object
    evaluator: Callable[[dict, date], CriterionResult] | None  # None: recorded by hand (the manual criterion)
    # The things the criterion reads, for the check form's choice (e.g. the KPIs: [(id, "147 · Service Level")]).
    choices: Callable[[], list[tuple[int, str]]] | None = None
    # Parameters to propose for an NC opened from a source (kind, ref): e.g. the missed reading's KPI.
    defaults: Callable[[str, str], dict] | None = None


_sources: dict[str, Source] = {}
_criteria: dict[str, Criterion] = {}


def register_source(kind: str, *, label, loader: Callable[[str], SourceEvidence | None]) -> None:
    """Register (or replace) a kind of thing an NC can be opened from in one click."""
    _sources[kind] = Source(kind, label, loader)


def register_criterion(kind: str, *, label, evaluator: Callable[[dict, date], CriterionResult] | None,
                       choices: Callable[[], list[tuple[int, str]]] | None = None,
                       defaults: Callable[[str, str], dict] | None = None) -> None:
    """Register (or replace) an effectiveness criterion; evaluator None means a person records the result.
    `choices()`: what the check form offers to read (the KPIs); `defaults(source_kind, source_ref)`: parameters
    proposed for an NC opened from that source."""
    _criteria[kind] = Criterion(kind, label, evaluator, choices, defaults)


def sources() -> dict[str, Source]:
    return dict(_sources)


def criteria() -> dict[str, Criterion]:
    return dict(_criteria)


def load_source(kind: str, ref: str) -> SourceEvidence | None:
    """The evidence of a registered source, or None (unknown kind, unknown ref, or a ref that does not parse)."""
    source = _sources.get(kind or "")
    if source is None or not ref or len(ref) > 120:
        return None
    try:
        return source.loader(ref)
    except (ValueError, LookupError):
        return None


def evaluate(kind: str, params: dict, since: date) -> CriterionResult:
    """Read an automatic criterion (pending for the manual one or an unknown kind)."""
    criterion = _criteria.get(kind)
    if criterion is None or criterion.evaluator is None:
        return CriterionResult("pending", "")
    return criterion.evaluator(params, since)

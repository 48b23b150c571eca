"""Factories of the capa module: a nonconformity (open by default) and one taken through its states."""
from __future__ import annotations

from datetime import date, timedelta

from portal.capa import services as capa


def make_nc(actor, **overrides):
    data = {"title": overrides.pop("title", "Recovery plan tidak didistribusikan"), "description": "Temuan audit internal.",
            "source": overrides.pop("source", "internal_audit"), "classification": overrides.pop("classification", "minor"),
            "found_on": overrides.pop("found_on", date(2026, 11, 2)), "site_id": None, "service_id": None}
    data.update(overrides)
    return capa.raise_nc(data, actor)


def waiting_nc(manager, owner, **overrides):
    """An NC with a root cause, one action of `owner` done and a manual check set: waiting for its check."""
    nc = make_nc(manager, **overrides)
    capa.save_root_cause(nc, [("Mengapa?", "Karena.")], {}, "Akar masalah.", manager)
    action = capa.add_action(nc, "Sosialisasi ulang.", owner, nc.found_on + timedelta(days=7), manager)
    capa.set_check(nc, nc.found_on + timedelta(days=30), "manual", {}, "Sampling bulan berikutnya.", manager)
    capa.complete_action(action, "Sudah dilaksanakan.", owner)
    return nc

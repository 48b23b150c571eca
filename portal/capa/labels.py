"""Labels shown on screen (translated)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


def source_labels() -> dict:
    return {"tapping": _l("Tapping"), "mystery_shopping": _l("Mystery shopping"), "product_test": _l("Product test"),
            "procedure_test": _l("Procedure test"), "behaviour_test": _l("Behaviour test"), "kpi": _l("KPI analysis"),
            "internal_audit": _l("Internal audit"), "external_audit": _l("External audit"),
            "complaint": _l("Customer complaint")}


def classification_labels() -> dict:
    return {"major": _l("Major"), "minor": _l("Minor"), "observation": _l("Observation")}


def status_labels() -> dict:
    return {"open": _l("Open"), "analysed": _l("Analysed"), "actions": _l("Actions in progress"),
            "verifying": _l("Waiting for the effectiveness check"), "reopened": _l("Reopened"), "closed": _l("Closed")}


STATUS_TONE = {"open": "warn", "analysed": "info", "actions": "info", "verifying": "warn", "reopened": "error", "closed": "ok"}
CLASS_TONE = {"major": "error", "minor": "warn", "observation": "muted"}


def action_labels() -> dict:
    return {"open": _l("Open"), "done": _l("Done"), "reopened": _l("Reopened")}


def fishbone_labels() -> dict:
    # The 6M of the Ishikawa diagram, as Indonesian quality teams name them.
    return {"man": _l("Man (Manusia)"), "method": _l("Method (Metode)"), "machine": _l("Machine (Mesin)"),
            "material": _l("Material (Material)"), "measurement": _l("Measurement (Pengukuran)"),
            "environment": _l("Environment (Lingkungan)")}


def check_labels() -> dict:
    return {"effective": _l("Actions effective"), "ineffective": _l("Actions ineffective"), "pending": _l("Not decided yet")}


def link_labels() -> dict:
    return {"record": _l("Record"), "document": _l("Document"), "revision": _l("Revision")}


def clause_labels() -> dict:
    return {"7.5": _l("7.5 Documented information"), "8.5": _l("8.5 Production and service provision"),
            "8.7": _l("8.7 Control of nonconforming outputs"), "9.1": _l("9.1 Monitoring, measurement, analysis and evaluation"),
            "10.2": _l("10.2 Nonconformity and corrective action")}

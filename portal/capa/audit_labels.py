"""How the capa module's audit events read (sentences, object codes): see core/modules.py."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, literal, select

from portal.core.modules import AuditAction, AuditObject

ACTIONS = {
    "capa.raised": AuditAction(_l("Nonconformity raised"), _l("%(actor)s raised the nonconformity %(object)s")),
    "capa.updated": AuditAction(_l("Nonconformity changed"), _l("%(actor)s changed the nonconformity %(object)s")),
    "capa.analysed": AuditAction(_l("Root cause recorded"), _l("%(actor)s recorded the root cause of %(object)s")),
    "capa.action_added": AuditAction(_l("Corrective action added"), _l("%(actor)s added a corrective action to %(object)s")),
    "capa.action_done": AuditAction(_l("Corrective action done"), _l("%(actor)s recorded a corrective action of %(object)s done")),
    "capa.evidence_added": AuditAction(_l("Action evidence added"), _l("%(actor)s added an evidence file to an action of %(object)s")),
    "capa.evidence_viewed": AuditAction(_l("Action evidence opened"), _l("%(actor)s opened an evidence file of %(object)s")),
    "capa.action_linked": AuditAction(_l("Action linked"), _l("%(actor)s linked an action of %(object)s to %(link)s")),
    "capa.check_set": AuditAction(_l("Effectiveness check set"), _l("%(actor)s set the effectiveness check of %(object)s")),
    "capa.checked": AuditAction(_l("Effectiveness checked"), _l("%(actor)s recorded the effectiveness check of %(object)s")),
    "capa.closed": AuditAction(_l("Nonconformity closed"), _l("%(actor)s closed the nonconformity %(object)s")),
    "capa.reopened": AuditAction(_l("Nonconformity reopened"), _l("%(actor)s reopened the actions of %(object)s (ineffective)")),
    "capa.printed": AuditAction(_l("Nonconformity report printed"), _l("%(actor)s printed the report of %(object)s")),
    "capa.pack_started": AuditAction(_l("Evidence pack started"), _l("%(actor)s started the ISO evidence pack %(object)s")),
    "capa.pack_built": AuditAction(_l("Evidence pack built"), _l("%(actor)s built the ISO evidence pack %(object)s")),
    "capa.pack_failed": AuditAction(_l("Evidence pack failed"), _l("%(actor)s: the ISO evidence pack %(object)s failed")),
    "capa.pack_downloaded": AuditAction(_l("Evidence pack downloaded"), _l("%(actor)s downloaded the ISO evidence pack %(object)s")),
}


def _ncs(ids):
    from portal.capa.models import Nonconformity

    return select(Nonconformity.id, Nonconformity.number, Nonconformity.number).where(Nonconformity.id.in_(ids))


def _packs(ids):
    from portal.capa.models import EvidencePack

    return select(EvidencePack.id, literal("ISO ") + EvidencePack.clause, literal("")).where(EvidencePack.id.in_(ids))


def _find(text):
    from portal.capa.models import Nonconformity

    return select(cast(Nonconformity.id, String)).where(Nonconformity.number == text.strip().upper())


def _labels(name):
    def label(value):
        from portal.capa import labels

        return getattr(labels, name)().get(value)

    return label


def _criterion(value):
    from portal.capa import links

    found = links.criteria().get(value)
    return found.label if found else None


FIELDS = {
    "number": _l("NC number"), "source": _l("Found by"), "classification": _l("Classification"), "title": _l("Title"),
    "found_on": _l("Found on"), "status": _l("Status"), "root_cause": _l("Root cause found"), "whys": _l("5-why"),
    "fishbone": _l("Fishbone (cause categories)"), "description": _l("Corrective action"), "owner": _l("Owner"),
    "due_on": _l("Due date"), "note": _l("What was done"), "check_due": _l("Check due on"), "check_kind": _l("Criterion"),
    "check_criterion": _l("What shows the actions worked"), "result": _l("Result"), "kind": _l("Criterion"),
    "clause": _l("Clause"), "containment": _l("Containment"), "correction": _l("Correction"), "process": _l("Process"),
}
OBJECTS = {
    "nonconformity": AuditObject(_l("Nonconformity"), codes=_ncs, permission="capa.read", find=_find, fields=FIELDS,
                                 values={"status": _labels("status_labels"), "source": _labels("source_labels"),
                                         "classification": _labels("classification_labels"),
                                         "result": _labels("check_labels"), "check_kind": _criterion, "kind": _criterion},
                                 url=lambda id, code, key: url_for("capa.show", nc_number=key) if key else None),
    "evidencepack": AuditObject(_l("ISO evidence pack"), codes=_packs, permission="capa.evidence"),
}

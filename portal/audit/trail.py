"""The audit trail as people read it: each event as a sentence, objects by their codes with links, values by labels.

What an action says and how an object is named come from the modules (`Module.audit_labels`,
`Module.audit_objects`, see core/modules.py); an action no module declares reads as a generic sentence. The codes
of every object on a page are asked in one statement (a UNION ALL of one SELECT per object type present)."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import String, and_, cast, false, literal, or_, select, union_all

from portal.core import modules
from portal.core.audit import AuditEvent
from portal.core.modules import AuditObject
from portal.extensions import db

# Keys that many modules' events carry: their labels, and the labels of their values.
COMMON_FIELDS = {
    "status": _l("Status"), "version": _l("Version"), "content_hash": _l("Content hash"), "reason": _l("Reason"),
    "why": _l("Cause"), "role": _l("As"), "token": _l("Printout token"), "sha256": _l("SHA-256"),
    "file": _l("File"), "file_sha256": _l("File SHA-256"), "size": _l("Size (bytes)"), "copy_status": _l("Copy"),
    "revision": _l("Revision"), "number": _l("Reference number"), "document": _l("Document"), "records": _l("Records"),
    "filters": _l("Filters"), "kind": _l("Kind"), "error": _l("Error"), "user": _l("User"),
    "username": _l("User name"), "name": _l("Name"), "code": _l("Code"), "site": _l("Site"),
    "service": _l("Service"), "services": _l("Services"), "sites": _l("Sites"), "active": _l("Active"),
    "warnings": _l("Warnings"), "signed": _l("Signed hash"), "found": _l("Hash found"), "session": _l("Session"),
    "task": _l("Task"), "attempts": _l("Attempts"), "worker_lost": _l("Worker lost"), "minutes": _l("Minutes"),
    "holder": _l("Holder"), "note": _l("Note"), "title": _l("Title"), "method": _l("Method"),
    "start": _l("From"), "end": _l("Until"), "actor": _l("User"), "action": _l("Action"),
    "object_type": _l("Object type"), "object": _l("Object"), "object_id": _l("Object id"),
}
COMMON_VALUES = {
    "why": {"password": _l("wrong password"), "inactive": _l("account deactivated")},
    "copy_status": {"controlled": _l("controlled copy"), "uncontrolled": _l("uncontrolled copy"),
                    "archive": _l("archive copy")},
    "kind": {"xlsx": _l("Excel file"), "bundle": _l("PDF bundle")},
    "reason": {"logout": _l("signed out"), "idle": _l("idle too long"), "expired": _l("session too old")},
}
GENERIC = _l("%(actor)s: %(action)s on %(object)s")
GENERIC_NO_OBJECT = _l("%(actor)s: %(action)s")


@dataclass
class Line:
    """One event as shown: the sentence (HTML and plain text) and its changes with labels."""
    event: AuditEvent
    actor: str
    sentence: Markup
    text: str
    action_label: str
    object_code: str = ""
    object_url: str | None = None
    changes: list[tuple[str, str | None, str | None]] = field(default_factory=list)


def _is_id(value: str) -> bool:
    return value.isdigit() and len(value) < 19


def resolve(pairs: set[tuple[str, str]], user=None) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(object type, id) -> (code, url or None) for these objects, in at most one statement."""
    objects = modules.audit_objects()
    by_type: dict[str, list[int]] = {}
    for object_type, object_id in pairs:
        if object_type in objects and objects[object_type].codes and _is_id(object_id):
            by_type.setdefault(object_type, []).append(int(object_id))
    selects = []
    for object_type, ids in sorted(by_type.items()):
        sub = objects[object_type].codes(sorted(set(ids))).subquery()
        cols = list(sub.c)
        selects.append(select(literal(object_type, String).label("t"), cast(cols[0], String).label("i"),
                              cast(cols[1], String).label("c"), cast(cols[2], String).label("k")))
    out: dict[tuple[str, str], tuple[str, str | None]] = {}
    if not selects:
        return out
    stmt = selects[0] if len(selects) == 1 else union_all(*selects)
    for t, i, code, key in db.session.execute(stmt):
        spec = objects[t]
        url = None
        if spec.url and (spec.permission is None or (user is not None and user.can(spec.permission))):
            url = spec.url(int(i), code, key)
        out[(t, str(i))] = (str(spec.code(code)) if spec.code else (code or ""), url)
    return out


def find(text: str):
    """The condition on audit events whose object has this code (or id): one condition, no statement of its own."""
    text = (text or "").strip()
    if not text:
        return None
    conditions = [AuditEvent.object_id == text]
    for object_type, spec in modules.audit_objects().items():
        if spec.find is None:
            continue
        ids = spec.find(text)
        if ids is not None:
            conditions.append(and_(AuditEvent.object_type == object_type, AuditEvent.object_id.in_(ids)))
    return or_(*conditions) if conditions else false()


def field_label(object_type: str, key: str) -> str:
    spec = modules.audit_objects().get(object_type)
    if spec and key in spec.fields:
        return str(spec.fields[key])
    if key in COMMON_FIELDS:
        return str(COMMON_FIELDS[key])
    for other in modules.audit_objects().values():
        if key in other.fields:
            return str(other.fields[key])
    return FieldCode(key)  # no module labels it: shown as the code it is (e.g. `valid_until`), never as English prose


class FieldCode(str):
    """A value key no module gave a label: the page shows it as code."""
    is_code = True


def value_label(object_type: str, key: str, value) -> str:
    """An old/new value as a person reads it: a code by its label, yes/no, lists joined."""
    from portal.core.navigation import audit_value

    spec = modules.audit_objects().get(object_type)
    labels = (spec.values.get(key) if spec else None) or COMMON_VALUES.get(key)
    if labels is None:
        for other in modules.audit_objects().values():
            if key in other.values:
                labels = other.values[key]
                break
    if labels is not None and isinstance(value, str):
        found = labels(value) if callable(labels) else labels.get(value)
        if found is not None:
            return str(found)
    if isinstance(value, list) and labels is not None:
        def one(v):
            found = (labels(v) if callable(labels) else labels.get(v)) if isinstance(v, str) else None
            return str(found if found is not None else v)
        return ", ".join(one(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{field_label(object_type, k)}: {value_label(object_type, k, v)}" for k, v in value.items())
    return audit_value(value)


def action_label(action: str) -> str:
    declared = modules.audit_labels().get(action)
    return str(declared.label) if declared else action


def action_choices() -> list[tuple[str, str]]:
    """(action, label) of every declared action, by label."""
    return sorted(((a, str(d.label)) for a, d in modules.audit_labels().items()), key=lambda p: p[1].lower())


def type_choices() -> list[tuple[str, str]]:
    """(object type, label) of every declared object type, by label."""
    return sorted(((t, str(o.label)) for t, o in modules.audit_objects().items()), key=lambda p: p[1].lower())


def _object_text(e: AuditEvent, found: dict) -> tuple[str, str | None]:
    if not e.object_type:
        return "", None
    if (e.object_type, e.object_id) in found:
        return found[(e.object_type, e.object_id)]
    spec: AuditObject | None = modules.audit_objects().get(e.object_type)
    if spec and spec.code and _is_id(e.object_id):
        return str(spec.code(e.object_id)), None
    label = str(spec.label) if spec else e.object_type
    return f"{label} {e.object_id}".strip(), None


def describe(rows, user=None) -> list[Line]:
    """The events (rows of (AuditEvent, actor's full name)) as sentences; one statement for all their objects."""
    rows = [(r[0], r[1]) if isinstance(r, tuple) or hasattr(r, "_fields") else (r, None) for r in rows]
    found = resolve({(e.object_type, e.object_id) for e, _name in rows if e.object_type}, user)
    labels = modules.audit_labels()
    lines = []
    for e, full_name in rows:
        actor = full_name or e.actor_name or _("The portal")
        if e.actor_name == "portal":
            actor = _("The portal")
        code, url = _object_text(e, found)
        old, new = e.old, e.new
        values = {k: value_label(e.object_type, k, v) for k, v in {**old, **new}.items()
                  if not isinstance(v, (dict, list))}
        declared = labels.get(e.action)
        html_object = Markup('<a href="%s">%s</a>') % (url, code) if url else Markup("<strong>%s</strong>") % code
        html_actor = Markup('<strong title="%s">%s</strong>') % (e.actor_name, actor)
        label = str(declared.label) if declared else e.action
        sentence = text = None
        if declared:
            template = str(declared.sentence)
            try:
                sentence = Markup(escape(template)) % {**{k: v for k, v in values.items()}, "actor": html_actor,
                                                         "object": html_object}
                text = template % {**values, "actor": actor, "object": code}
            except (KeyError, ValueError, TypeError):
                sentence = None
        if sentence is None:
            template = str(GENERIC if code else GENERIC_NO_OBJECT)
            params = {"actor": html_actor, "object": html_object, "action": label}
            sentence = Markup(escape(template)) % params
            text = template % {"actor": actor, "object": code, "action": label}
        changes = []
        for key in list(dict.fromkeys([*old.keys(), *new.keys()])):
            changes.append((field_label(e.object_type, key),
                            value_label(e.object_type, key, old[key]) if key in old else None,
                            value_label(e.object_type, key, new[key]) if key in new else None))
        lines.append(Line(e, actor, sentence, text, label, code, url, changes))
    return lines

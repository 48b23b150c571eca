"""Modules plug in here: each declares, in its own `module.py`, everything the rest of the portal needs to know.

A module is a package with a `module.py` that defines `module = Module(...)`: its blueprints, named permissions
and the roles that hold them, navigation entries, home-page providers, audit action labels, demo data,
command-line groups, and a `setup(app)` for the rest (printable kinds, background tasks and schedules). `create_app` loads the modules listed in
`PORTAL_MODULES` (in that order) and nothing else, so a site can switch a module off in configuration."""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable, Iterable

from flask import Flask, current_app


@dataclass
class NavItem:
    """One entry of the navigation: shown to users holding the permission (any of a tuple; None: everyone)."""
    label: object
    endpoint: str
    permission: str | tuple[str, ...] | None = None
    section: object = ""


@dataclass
class AuditAction:
    """How one audit action reads: a short label (the action filter) and a sentence.

    The sentence is a translated template with `%(actor)s` (who) and `%(object)s` (the object by its code, linked
    on the page) and may name any scalar of the event's new values, e.g. `%(number)s`, shown by its label."""
    label: object
    sentence: object


@dataclass
class AuditObject:
    """How the objects of one audit object type are named, linked and found by their code.

    `codes(ids)` is one SELECT of (id, code, key) for these ids (several types are asked in one UNION ALL
    statement); `code(value)` formats the code selected (or the bare id of an object that no longer exists);
    `url(id, code, key)` links it (shown only to users holding `permission`); `find(text)` gives the ids (as text:
    a SELECT or a list) of the objects whose code matches what was searched, or None; `fields` and `values` label
    the old/new values of its events (key -> label; key -> {raw value -> label} or a function of the value)."""
    label: object
    codes: Callable[[list[int]], object] | None = None
    code: Callable[[str], object] | None = None  # the code as shown, from the code selected (or the id if gone)
    url: Callable[[int, str, str], str | None] | None = None
    permission: str | None = None
    find: Callable[[str], object] | None = None
    fields: dict[str, object] = field(default_factory=dict)
    values: dict[str, dict] = field(default_factory=dict)


@dataclass
class Module:
    """What one module brings to the portal."""
    name: str
    # (blueprint, url_prefix) pairs, built lazily so that loading module.py imports no views.
    blueprints: Callable[[], list[tuple[object, str | None]]] = lambda: []
    permissions: dict[str, object] = field(default_factory=dict)  # name -> label
    grants: dict[str, set[str]] = field(default_factory=dict)  # role -> permissions of this module
    nav: list[NavItem] = field(default_factory=list)
    inbox: Callable[[], list[Callable]] = lambda: []  # home-page providers: function(user) -> list[InboxItem]
    audit_labels: dict[str, AuditAction] = field(default_factory=dict)  # action -> its label and sentence
    audit_objects: dict[str, AuditObject] = field(default_factory=dict)  # object type -> how it is named and found
    demo: Callable[[], list[str]] | None = None  # adds the module's demo data; returns lines to print
    cli: Callable[[], list[object]] = lambda: []  # click groups
    # Rechecks every signed object of the module (for `flask audit verify`): yields one line per object whose
    # content no longer matches its signatures.
    integrity_check: Callable[[], Iterable[str]] | None = None
    setup: Callable[[Flask], None] | None = None  # anything else: printable kinds, tasks, schedules, template helpers
    # The folders of the documents store this module writes to, each with a function yielding the paths (relative to
    # DOCUMENTS_FOLDER) its rows refer to: a file of such a folder no row refers to is an orphan (`flask files orphans`).
    stored_files: dict[str, Callable[[], Iterable[str]]] = field(default_factory=dict)


def load(app: Flask, names: list[str]) -> list[Module]:
    """Import each named module's declaration and plug it into `app`, in order."""
    from portal.config import REQUIRED_MODULES
    from portal.core import permissions

    names = REQUIRED_MODULES + [n for n in names if n not in REQUIRED_MODULES]
    modules: list[Module] = []
    for name in names:
        module = importlib.import_module(f"portal.{name}.module").module
        if module.name != name:
            raise RuntimeError(f"portal.{name}.module declares module {module.name!r}")
        modules.append(module)
    app.extensions["portal_modules"] = modules
    for module in modules:
        permissions.register(module.name, module.permissions, module.grants)
    for module in modules:
        for blueprint, prefix in module.blueprints():
            app.register_blueprint(blueprint, url_prefix=prefix)
        for group in module.cli():
            app.cli.add_command(group)
        if module.setup is not None:
            module.setup(app)
    permissions.check_policies(app)
    return modules


def enabled(app: Flask | None = None) -> list[Module]:
    """The modules of this app, in their configured order."""
    app = app or current_app
    return app.extensions.get("portal_modules", [])


def is_enabled(name: str, app: Flask | None = None) -> bool:
    """Whether the named module is switched on."""
    return any(m.name == name for m in enabled(app))


def nav_items() -> list[NavItem]:
    """Every navigation entry of the enabled modules, in module order."""
    return [item for module in enabled() for item in module.nav]


def inbox_providers() -> list[Callable]:
    """Every home-page provider of the enabled modules, in module order."""
    return [provider for module in enabled() for provider in module.inbox()]


def audit_labels() -> dict[str, AuditAction]:
    """Action name -> its label and sentence, from every enabled module."""
    out: dict[str, AuditAction] = {}
    for module in enabled():
        out.update(module.audit_labels)
    return out


def audit_objects() -> dict[str, AuditObject]:
    """Object type -> how its objects are named, linked and found, from every enabled module."""
    out: dict[str, AuditObject] = {}
    for module in enabled():
        out.update(module.audit_objects)
    return out

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
class Module:
    """What one module brings to the portal."""
    name: str
    # (blueprint, url_prefix) pairs, built lazily so that loading module.py imports no views.
    blueprints: Callable[[], list[tuple[object, str | None]]] = lambda: []
    permissions: dict[str, object] = field(default_factory=dict)  # name -> label
    grants: dict[str, set[str]] = field(default_factory=dict)  # role -> permissions of this module
    nav: list[NavItem] = field(default_factory=list)
    inbox: Callable[[], list[Callable]] = lambda: []  # home-page providers: function(user) -> list[InboxItem]
    audit_labels: dict[str, object] = field(default_factory=dict)  # action -> label
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


def audit_labels() -> dict[str, object]:
    """Action name -> label, from every enabled module."""
    out: dict[str, object] = {}
    for module in enabled():
        out.update(module.audit_labels)
    return out

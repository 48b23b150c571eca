"""The architecture holds: layers point down, modules plug in through their declarations."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from portal.core import modules, permissions

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold():
    """import-linter: core <- auth <- printing <- documents <- records <- exports <- pages; no view imports a view."""
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert exe, "import-linter is not installed (requirements-dev.txt)"
    result = subprocess.run([exe, "--config", str(ROOT / ".importlinter")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_every_route_belongs_to_a_module_and_its_permission_is_declared(app):
    """Every endpoint comes from an enabled module's blueprint and requires only declared permissions."""
    names = {m.name for m in modules.enabled(app)}
    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        assert endpoint.split(".")[0] in names, endpoint
        policy = getattr(view, "policy", None)
        assert policy is not None, f"{endpoint} declares no policy"
        if policy.kind == "permission":
            assert policy.permission in permissions.PERMISSIONS, endpoint


def test_grants_come_from_the_module_declarations(app):
    """A role holds exactly the union of what the enabled modules grant it."""
    for role in permissions.ROLES:
        expected = set()
        for module in modules.enabled(app):
            expected |= module.grants.get(role, set())
        assert permissions.ROLE_PERMISSIONS[role] == frozenset(expected), role


def test_a_module_can_be_switched_off(tmp_path):
    """A portal without the exports module has no export routes, menu entry or permission problems."""
    from portal import create_app
    from tests.conftest import test_config

    app = create_app({**test_config(f"sqlite:///{tmp_path / 'off.db'}", tmp_path),
                      "PORTAL_MODULES": ["auth", "main", "printing", "documents", "records"]})
    assert not any(e.startswith(("exports.", "admin.", "audit.", "api.")) for e in app.view_functions)
    assert [m.name for m in modules.enabled(app)] == ["auth", "main", "printing", "documents", "records"]
    with app.test_request_context():
        assert all(item.endpoint.split(".")[0] in {"main", "documents", "records"} for item in modules.nav_items())


def test_a_module_that_requires_an_undeclared_permission_is_refused():
    """A route whose permission no module declares stops the app from starting."""
    from flask import Flask

    from portal.core.permissions import check_policies, require

    app = Flask("t")

    @app.route("/x")
    @require("nobody.declared.this")
    def x():
        return ""

    try:
        check_policies(app)
    except RuntimeError as exc:
        assert "nobody.declared.this" in str(exc)
    else:
        raise AssertionError("an undeclared permission was accepted")

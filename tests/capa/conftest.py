"""Users of the capa tests: qmr and qa manage the register, tl and spv own actions, a manager and an auditor read,
an agent sees nothing."""
from __future__ import annotations

import pytest


@pytest.fixture
def org(app, factories):
    site = factories.site(code="MLG", name="Malang")
    service = factories.service(code="147", name="147")
    users = {r: factories.user([r], site=site, services=[service]) for r in ("qmr", "qa", "tl", "spv", "manager", "auditor", "agent")}
    users["tl2"] = factories.user(["tl"], site=site)
    return {**users, "site": site, "service": service}

"""Who does what with nonconformities. The register is not personal: whoever reads it (capa.read) reads every NC.
QA and the QMR manage it (capa.manage: edit, root cause, actions, the check) and record effectiveness checks
(capa.verify); supervisors and team leaders raise NCs (capa.raise) and own actions (capa.act), as do QA and the QMR;
managers read; auditors read and build the ISO clause evidence packs (capa.evidence, with the QMR); agents see nothing."""
from __future__ import annotations

from portal.capa.models import CLOSED, Action, Nonconformity


def can_manage(user, nc: Nonconformity) -> bool:
    return user.can("capa.manage") and nc.status != CLOSED


def can_complete(user, action: Action) -> bool:
    """The owner records their open action done."""
    return user.can("capa.act") and action.owner_id == user.id and action.is_open and action.nc.status != CLOSED


def can_edit_action(user, action: Action) -> bool:
    """Evidence files and links: the owner or a register manager, while the NC is open."""
    return action.nc.status != CLOSED and ((user.can("capa.act") and action.owner_id == user.id) or user.can("capa.manage"))


def can_verify(user, nc: Nonconformity) -> bool:
    """Shown the check form: holders of capa.verify (the gate itself refuses an action owner, with its reason)."""
    return user.can("capa.verify") and nc.status == "verifying"

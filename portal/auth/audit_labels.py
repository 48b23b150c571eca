"""How the auth module's audit events read (sentences, object codes, value labels): see core/modules.py."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, func, literal, or_, select

from portal.core.modules import AuditAction, AuditObject
from portal.core.permissions import ROLES

ACTIONS = {
    "auth.login": AuditAction(_l("Signed in"), _l("%(actor)s signed in")),
    "auth.logout": AuditAction(_l("Signed out"), _l("%(actor)s signed out")),
    "auth.session_ended": AuditAction(_l("Session ended"), _l("The session of %(object)s ended (%(reason)s)")),
    "auth.login_failed": AuditAction(_l("Sign-in failed"), _l("Failed sign-in as %(object)s (%(why)s)")),
    "auth.login_blocked": AuditAction(_l("Sign-in blocked"),
                                      _l("Sign-in as %(object)s blocked for %(minutes)s minutes after failed attempts")),
    "user.created": AuditAction(_l("User created"), _l("%(actor)s created the user %(object)s")),
    "user.updated": AuditAction(_l("User changed"), _l("%(actor)s changed the user %(object)s")),
    "user.deactivated": AuditAction(_l("User deactivated"), _l("%(actor)s deactivated the user %(object)s")),
    "user.reactivated": AuditAction(_l("User reactivated"), _l("%(actor)s reactivated the user %(object)s")),
    "user.password_reset": AuditAction(_l("Password reset"), _l("%(actor)s reset the password of %(object)s")),
    "user.password_changed": AuditAction(_l("Password changed"), _l("%(actor)s changed their own password")),
    "user.locale_changed": AuditAction(_l("Language changed"), _l("%(actor)s changed the language to %(locale)s")),
    "site.created": AuditAction(_l("Site created"), _l("%(actor)s created the site %(object)s")),
    "site.updated": AuditAction(_l("Site changed"), _l("%(actor)s changed the site %(object)s")),
    "service.created": AuditAction(_l("Service created"), _l("%(actor)s created the service %(object)s")),
    "service.updated": AuditAction(_l("Service changed"), _l("%(actor)s changed the service %(object)s")),
    "api_token.created": AuditAction(_l("API token created"), _l("%(actor)s created the API token %(object)s")),
    "api_token.revoked": AuditAction(_l("API token revoked"), _l("%(actor)s revoked the API token %(object)s")),
}


def _users(ids):
    from portal.auth.models import User

    return select(User.id, User.full_name + " (" + User.username + ")", User.username).where(User.id.in_(ids))


def _find_users(text):
    from portal.auth.models import User

    text = text.strip().lower()
    return select(cast(User.id, String)).where(or_(func.lower(User.username) == text, func.lower(User.full_name) == text))


def _by_code(model):
    def codes(ids):
        return select(model.id, model.code, model.name).where(model.id.in_(ids))

    def find(text):
        return select(cast(model.id, String)).where(func.lower(model.code) == text.strip().lower())

    return codes, find


def _sites():
    from portal.auth.models import Site

    return _by_code(Site)


def _services():
    from portal.auth.models import Service

    return _by_code(Service)


def _tokens(ids):
    from portal.auth.models import ApiToken

    return select(ApiToken.id, ApiToken.name, literal("")).where(ApiToken.id.in_(ids))


USER_FIELDS = {"full_name": _l("Full name"), "email": _l("E-mail"), "position": _l("Position"), "roles": _l("Roles"),
               "locale": _l("Language"), "must_change_password": _l("Must change the password"),
               "sessions_ended": _l("Sessions ended"), "other_sessions_ended": _l("Other sessions ended")}
LOCALES = {"id": _l("Indonesian"), "en": _l("English")}
OBJECTS = {
    "user": AuditObject(
        _l("User"), codes=_users, find=_find_users, permission="users.manage",
        url=lambda id, code, key: url_for("admin.user_edit", user_id=id),
        fields=USER_FIELDS, values={"roles": ROLES, "locale": LOCALES}),
    "site": AuditObject(
        _l("Site"), codes=lambda ids: _sites()[0](ids), find=lambda text: _sites()[1](text), permission="org.manage",
        url=lambda id, code, key: url_for("admin.site_edit", site_id=id),
        fields={"timezone": _l("Time zone"), "is_head_office": _l("Head office")}),
    "service": AuditObject(
        _l("Service"), codes=lambda ids: _services()[0](ids), find=lambda text: _services()[1](text),
        permission="org.manage", url=lambda id, code, key: url_for("admin.service_edit", service_id=id),
        fields={"direction": _l("Direction")}, values={"direction": {"inbound": _l("inbound"), "outbound": _l("outbound")}}),
    "apitoken": AuditObject(_l("API token"), codes=_tokens),
}

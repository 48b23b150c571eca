"""The navigation by role, breadcrumbs and helpers every template can call."""
from __future__ import annotations

import secrets

from flask import current_app, has_request_context, request, url_for
from markupsafe import Markup, escape
from flask_login import current_user

from portal.core import modules, permissions
from portal.core.modules import NavItem
from portal.core.i18n import get_locale


# Stands for the language switch's return address in the cached top bar (random per process).
NEXT_PLACEHOLDER = "next-" + secrets.token_hex(12)


def nav_for(user) -> list[NavItem]:
    """The navigation entries this user may open (worked out once per set of permissions and app)."""
    if user is None or not user.is_authenticated:
        return []
    granted = user.permissions
    cache = current_app.extensions.setdefault("portal_nav_by_permissions", {})
    found = cache.get(granted)
    if found is None:
        def allowed(item: NavItem) -> bool:
            if item.permission is None:
                return True
            wanted = item.permission if isinstance(item.permission, tuple) else (item.permission,)
            return any(p in granted for p in wanted)

        items = [item for item in modules.nav_items() if allowed(item)]
        # One heading per section: a module later in the list that adds to an earlier section (exports under
        # "Records") joins it instead of opening the section a second time.
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            first.setdefault(str(getattr(item.section, "_args", (item.section,))[0]), i)
        found = cache[granted] = sorted(items, key=lambda it: first[str(getattr(it.section, "_args", (it.section,))[0])])
    return found


def audit_value(value) -> str:
    """An old/new value of the audit trail as a person reads it."""
    from flask_babel import gettext as _

    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {audit_value(v)}" for k, v in value.items())
    return str(value)


def register(app) -> None:
    app.jinja_env.filters["audit_value"] = audit_value
    app.jinja_env.filters["dict_without"] = lambda d, *keys: {k: v for k, v in d.items() if k not in keys}
    app.jinja_env.filters["compact"] = lambda d: {k: v for k, v in d.items() if v is not None and v is not False}
    app.jinja_env.filters["options"] = lambda rows, value, label: [(getattr(r, value), getattr(r, label)) for r in rows]

    @app.context_processor
    def list_macros():
        # The list macros (filter selects, empty row, next page) everywhere, also in htmx fragments.
        lists = app.jinja_env.get_template("_macros/lists.html").module
        return {"empty_row": lists.empty_row, "filter_select": lists.filter_select, "pager": lists.pager, "next_page": lists.next_page}

    @app.context_processor
    def inject():
        user = current_user._get_current_object() if has_request_context() else None  # None: a PDF rendered by a job

        def can(permission: str) -> bool:
            return user is not None and user.is_authenticated and user.can(permission)

        def is_active(endpoint: str) -> bool:
            # "admin.users" is active on admin.users, admin.user_new, admin.user_edit, ...
            current = request.endpoint or ""
            return current == endpoint or (endpoint != "main.home" and current.startswith(endpoint.rstrip("s")))

        def nav_html() -> Markup:
            # The side navigation is the same for everyone with these permissions, in this language, on this page:
            # rendered once per process for each (it holds ~20 links, each a url_for and a translation).
            items = nav_for(user)
            key = (user.permissions if user is not None and user.is_authenticated else None, str(get_locale()),
                   request.endpoint, request.script_root)
            cache = app.extensions.setdefault("portal_nav_html", {})
            found = cache.get(key)
            if found is None:
                if len(cache) > 4096:
                    cache.clear()
                found = cache[key] = Markup(app.jinja_env.get_template("_macros/nav.html").render(
                    nav_items=items, is_active=is_active, url_for=url_for))
            return found

        def shell(part: str) -> Markup:
            # The parts of base.html around a page's own blocks (head links, top bar, side navigation, footer) hold
            # only what is in their key — the user's shown fields, the language, the page's endpoint — so each is
            # rendered once per process and key; the CSRF token and the language switch's return address, which
            # change per session and page, are placeholders filled in here.
            from portal.core import fragments

            signed_in = user is not None and user.is_authenticated
            locale = str(get_locale())
            if part == "head":
                key = (part, request.script_root)
            elif part == "topbar":
                key = (part, locale, request.script_root, signed_in) + (
                    (user.id, user.full_name, user.username, user.site.name, tuple(user.roles)) if signed_in else ())
            elif part == "nav":
                key = (part, locale, request.script_root, request.endpoint, user.permissions if signed_in else None)
            else:
                key = (part, locale, signed_in, user.site.tz_label if signed_in else None)
            cache = app.extensions.setdefault("portal_shell_html", {})
            found = cache.get(key)
            if found is None:
                if len(cache) > 8192:
                    cache.clear()
                with fragments.placeholder_tokens():
                    found = cache[key] = app.jinja_env.get_template(f"_partials/{part}.html").render(
                        next_path=NEXT_PLACEHOLDER, **_shell_context())
            if part == "topbar":
                next_path = request.full_path if request.method == "GET" else url_for("main.home")
                found = fragments.finish(found.replace(NEXT_PLACEHOLDER, str(escape(next_path))))
            return Markup(found)

        def _shell_context() -> dict:
            context = {"current_user": user if user is not None else current_user, "nav_html": nav_html,
                       "role_labels": permissions.ROLES, "languages": app.config["LANGUAGES"],
                       "get_locale": get_locale, "organisation": app.config["PORTAL_ORGANISATION"], "url_for": url_for}
            app.update_template_context(context)  # csrf_token(), _() and the rest of what every template has
            context["current_user"] = user if user is not None else current_user
            return context

        found = {
            "shell": shell,
            "nav_html": nav_html,
            "nav_items": nav_for(user),
            "can": can,
            "can_see_site": lambda site_id: permissions.can_see_site(current_user, site_id),
            "is_active": is_active,
            "role_labels": permissions.ROLES,
            "roles_text": lambda roles: ", ".join(str(permissions.ROLES[r]) for r in roles),
            "languages": app.config["LANGUAGES"],
            "get_locale": get_locale,
            "organisation": app.config["PORTAL_ORGANISATION"],
            "url_for": url_for,
        }
        if user is not None:
            # The user itself, not Flask-Login's proxy: a page reads current_user a dozen times or more, and each
            # read through the proxy walks the request context (≈ 2 µs) before it reaches the same object.
            found["current_user"] = user
        return found

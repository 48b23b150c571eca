"""Structured (JSON lines) logging of requests and errors."""
from __future__ import annotations

import json
import logging
import sys
import time
import uuid

from flask import g, request


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update(getattr(record, "fields", {}) or {})
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def configure(app) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if app.config.get("LOG_JSON", True):
        handler.setFormatter(JsonFormatter())
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    app.logger.propagate = False
    access = logging.getLogger("portal.access")
    access.handlers[:] = [handler]
    access.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    access.propagate = False

    @app.before_request
    def _start_timer():
        g.request_started = time.perf_counter()
        g.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex[:16]

    @app.after_request
    def _log_request(response):
        if request.endpoint == "static":
            return response
        from flask_login import current_user

        started = g.get("request_started")
        fields = {
            "request_id": g.get("request_id"),
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "user": current_user.username if current_user and current_user.is_authenticated else None,
            "address": request.remote_addr,
            "htmx": bool(request.headers.get("HX-Request")),
        }
        access.info("request", extra={"fields": fields})
        response.headers["X-Request-ID"] = fields["request_id"] or ""
        return response

"""Configuration read from the environment; tests pass their own overrides."""
from __future__ import annotations

import os
from datetime import timedelta


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


ALL_MODULES = ["auth", "main", "printing", "documents", "records", "people", "training", "coaching", "roster", "tapping", "exports", "capa", "monitoring", "api", "admin", "audit"]
REQUIRED_MODULES = ["auth", "main", "printing"]


def _modules(value: str | None) -> list[str]:
    """The configured module list (comma-separated); the required ones are added when the app loads them."""
    if not value:
        return list(ALL_MODULES)
    return [v.strip() for v in value.split(",") if v.strip()]


class Config:
    """Settings with their defaults; every one can be overridden from the environment."""

    def __init__(self) -> None:
        env = os.environ
        self.SECRET_KEY = env.get("SECRET_KEY", "")
        # None means: SQLite in the instance folder (set in create_app).
        self.SQLALCHEMY_DATABASE_URI = env.get("DATABASE_URL") or None
        # No ping on every checkout (a round trip to PostgreSQL before every request's first statement): a connection
        # is pinged when it comes out of the pool after a few seconds unused (core.db.ping_if_idle, DB_PING_IDLE_S).
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False}
        self.DOCUMENTS_FOLDER = env.get("DOCUMENTS_FOLDER") or None
        # Where files are kept (core/storage.py): "local" (DOCUMENTS_FOLDER) or "s3" (an S3-compatible store).
        self.DOCUMENTS_STORE = env.get("DOCUMENTS_STORE", "local")
        self.S3_BUCKET = env.get("S3_BUCKET", "")
        self.S3_PREFIX = env.get("S3_PREFIX", "")
        self.S3_ENDPOINT_URL = env.get("S3_ENDPOINT_URL") or None
        self.S3_REGION = env.get("S3_REGION") or None
        self.PORTAL_TIMEZONE = env.get("PORTAL_TIMEZONE", "Asia/Jakarta")
        self.PORTAL_DEMO = _bool("PORTAL_DEMO")
        self.PORTAL_ORGANISATION = env.get("PORTAL_ORGANISATION", "Infomedia CC Telkom")
        self.PORTAL_BASE_URL = env.get("PORTAL_BASE_URL", "")  # printed under QR codes, e.g. http://mutu.intranet
        self.EXPORTS_BUNDLE_MAX = int(env.get("EXPORTS_BUNDLE_MAX", "2000"))
        # Cached PDFs nobody has used for this many days leave the store (printing/cache.py: prune, daily 03:30).
        self.PDF_CACHE_KEEP_DAYS = int(env.get("PDF_CACHE_KEEP_DAYS", "30"))
        # Shared page fragments kept per worker process (core/fragments.py), in bytes of HTML; 0 turns them off.
        self.FRAGMENT_CACHE_BYTES = int(env.get("FRAGMENT_CACHE_BYTES", str(32 * 1024 * 1024)))
        # The modules this portal runs, in order (navigation and home page follow it). auth, main and printing are
        # always on; a site without some module leaves it out, e.g. PORTAL_MODULES="documents,records".
        self.PORTAL_MODULES = _modules(env.get("PORTAL_MODULES"))

        # Background jobs (portal/core/jobs.py). Backend: inline (tests), inprocess (a thread per server process,
        # no Redis) or rq (Redis + `flask jobs worker`). None: inline when testing, else inprocess.
        self.JOBS_BACKEND = env.get("JOBS_BACKEND") or None
        self.REDIS_URL = env.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        self.JOBS_QUEUE = env.get("JOBS_QUEUE", "portal")
        self.JOBS_STALE_SECONDS = int(env.get("JOBS_STALE_SECONDS", "300"))  # no heartbeat for this long: worker lost
        self.JOBS_HEARTBEAT_SECONDS = float(env.get("JOBS_HEARTBEAT_SECONDS", "30"))
        self.JOBS_POLL_SECONDS = float(env.get("JOBS_POLL_SECONDS", "1"))
        self.JOBS_SCHEDULER_SECONDS = float(env.get("JOBS_SCHEDULER_SECONDS", "30"))
        self.JOBS_RQ_TIMEOUT = int(env.get("JOBS_RQ_TIMEOUT", "3600"))  # RQ kills a job running longer than this
        self.JOBS_WORKER_NICE = int(env.get("JOBS_WORKER_NICE", "10"))  # `flask jobs worker` runs below the web workers

        # Sessions and cookies.
        idle = int(env.get("SESSION_IDLE_MINUTES", "30"))
        self.SESSION_IDLE_MINUTES = idle
        self.SESSION_MAX_HOURS = int(env.get("SESSION_MAX_HOURS", "12"))  # absolute lifetime of a session
        # The idle and absolute limits are enforced on the server-side session row (auth.sessions.load_user). The
        # cookie lives as long as a session may and is not re-signed and re-sent on every answer (it was: a
        # serialisation and an HMAC per page for a date the server does not trust anyway).
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=self.SESSION_MAX_HOURS)
        self.SESSION_REFRESH_EACH_REQUEST = False
        self.SESSION_COOKIE_NAME = "portal_session"
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
        self.PREFERRED_URL_SCHEME = "https" if self.SESSION_COOKIE_SECURE else "http"
        self.REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

        # Passwords and login throttling (counted in the database, so every worker shares them).
        self.PASSWORD_MIN_LENGTH = int(env.get("PASSWORD_MIN_LENGTH", "10"))
        self.LOGIN_MAX_FAILURES_PER_ACCOUNT = int(env.get("LOGIN_MAX_FAILURES_PER_ACCOUNT", "5"))
        self.LOGIN_MAX_FAILURES_PER_ADDRESS = int(env.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "20"))
        self.LOGIN_LOCKOUT_MINUTES = int(env.get("LOGIN_LOCKOUT_MINUTES", "15"))
        # Reverse proxies in front of the portal whose X-Forwarded-For / X-Forwarded-Proto are believed (0: none,
        # the headers are ignored). Behind one nginx/Apache, set 1: the sign-in lock then counts each client's address.
        self.PROXY_COUNT = int(env.get("PROXY_COUNT", "0"))

        # API tokens expire: the date is chosen when the token is created, by default API_TOKEN_DAYS ahead, never
        # more than API_TOKEN_MAX_DAYS.
        self.API_TOKEN_DAYS = int(env.get("API_TOKEN_DAYS", "90"))
        self.API_TOKEN_MAX_DAYS = int(env.get("API_TOKEN_MAX_DAYS", "365"))

        # CSRF: tokens live as long as the session may.
        self.WTF_CSRF_TIME_LIMIT = int(env.get("WTF_CSRF_TIME_LIMIT", str(8 * 3600)))
        self.WTF_CSRF_HEADERS = ["X-CSRFToken"]

        # Language.
        self.BABEL_DEFAULT_LOCALE = "id"
        self.BABEL_DEFAULT_TIMEZONE = "UTC"
        self.LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}

        # Documents.
        self.DOCUMENT_MAX_BYTES = int(env.get("DOCUMENT_MAX_BYTES", str(20 * 1024 * 1024)))
        # Prepared, checked and approved by three different people; a very small site may allow one person two
        # signatures (each such exception is audited as revision.signer_exception).
        self.DOCUMENTS_DISTINCT_SIGNERS = _bool("DOCUMENTS_DISTINCT_SIGNERS", True)
        self.PORTAL_SEEDS = env.get("PORTAL_SEEDS") or None  # default: portal/seeds (the five real documents)

        # Audit trail integrity: the HMAC key is never stored in the database. AUDIT_HMAC_KEY (a secret string)
        # or the key file (default instance/audit_key, 32 random bytes, created in demo/debug/test mode only).
        self.AUDIT_HMAC_KEY = env.get("AUDIT_HMAC_KEY", "")
        self.AUDIT_HMAC_KEY_FILE = env.get("AUDIT_HMAC_KEY_FILE") or None
        # Anchors of the chain head (default <DOCUMENTS_FOLDER>/audit/anchors.jsonl).
        self.AUDIT_ANCHORS_FILE = env.get("AUDIT_ANCHORS_FILE") or None
        # Backups: pg_dump / pg_restore binaries (PostgreSQL only).
        self.PG_DUMP = env.get("PG_DUMP", "pg_dump")
        self.PG_RESTORE = env.get("PG_RESTORE", "pg_restore")

        self.LOG_JSON = _bool("LOG_JSON", True)
        self.LOG_LEVEL = env.get("LOG_LEVEL", "INFO")
        self.MAX_CONTENT_LENGTH = int(env.get("MAX_CONTENT_LENGTH", str(25 * 1024 * 1024)))

    def as_dict(self) -> dict:
        """All upper-case settings as a plain dict."""
        return {k: v for k, v in vars(self).items() if k.isupper()}

"""Export jobs: an auditor's filtered export, built in the background, with its progress in the database
(so any server worker can answer the progress bar's polling)."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.core.db import utcnow
from portal.extensions import db

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


class ExportJob(db.Model):
    __tablename__ = "export_job"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # xlsx | bundle
    filters_json: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    file_path: Mapped[str] = mapped_column(String(255), default="")
    file_name: Mapped[str] = mapped_column(String(255), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def filters(self) -> dict:
        return json.loads(self.filters_json or "{}")

    @property
    def percent(self) -> int:
        if self.status == DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    def __repr__(self) -> str:
        return f"<ExportJob {self.id} {self.kind} {self.status} {self.done}/{self.total}>"

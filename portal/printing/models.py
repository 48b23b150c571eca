"""A printout: one PDF handed out, with the token its QR code and short link point at."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.core.db import utcnow
from portal.extensions import db


class Printout(db.Model):
    __tablename__ = "printout"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # a registered printable kind: "document" (a revision), "record" (a version of a record), ...
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id", ondelete="RESTRICT"), index=True)
    revision_number: Mapped[str] = mapped_column(String(10), default="")
    document_code: Mapped[str] = mapped_column(String(80), default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    copy_status: Mapped[str] = mapped_column(String(20), default="uncontrolled")  # uncontrolled | controlled
    copy_number: Mapped[int | None]  # the number of a registered controlled copy
    holder: Mapped[str] = mapped_column(String(160), default="")
    record_id: Mapped[int | None] = mapped_column(ForeignKey("record.id", ondelete="RESTRICT"), index=True)
    record_version: Mapped[int | None]
    printed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    printed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The PDF of this printout kept in the documents store under this key (printing/cache.py); None: not kept.
    cache_key: Mapped[str | None] = mapped_column(String(64), index=True)

    printed_by: Mapped[User | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Printout {self.token} {self.document_code} rev {self.revision_number}>"

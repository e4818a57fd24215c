"""The audit log: an append-only, hash-chained record of who did or saw what."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from zentrum.models.base import Base, UTCDateTime

# The hash a chain starts from (the predecessor of the first entry).
GENESIS_HASH = "0" * 64


class AuditEntry(Base):
    """One audited action; never updated or deleted (a PostgreSQL trigger refuses it).

    ``id`` is the entry's place in the chain (1, 2, 3 … without gaps), assigned under
    the chain head's lock, not by a database sequence, so that a missing entry shows.
    ``hash`` covers ``prev_hash`` and every other field (see ``services.audit``).
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        sa.Index("ix_audit_entries_at", "at"),
        sa.Index("ix_audit_entries_case_id_at", "case_id", "at"),
        sa.Index("ix_audit_entries_person_id_at", "person_id", "at"),
        sa.Index("ix_audit_entries_user_id_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # As typed at the login form too, so failed logins with unknown names are recorded.
    username: Mapped[str | None] = mapped_column(sa.String(80))
    action: Mapped[str] = mapped_column(sa.String(40))
    # No foreign keys: the log outlives anonymised or removed cases and persons.
    case_id: Mapped[int | None] = mapped_column()
    person_id: Mapped[int | None] = mapped_column()
    address: Mapped[str | None] = mapped_column(sa.String(64))
    # Never note text, passwords, tokens or session ids.
    details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action}>"


class AuditChainHead(Base):
    """The newest entry of the chain: one row, locked by every writer.

    Appends serialise on this row (SELECT … FOR UPDATE on PostgreSQL), and ``verify``
    compares it with the last entry, so that removing entries at the end shows too.
    """

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column()
    last_hash: Mapped[str] = mapped_column(sa.String(64))


class AuditCaseRef(Base):
    """A case that an entry concerns besides its own ``case_id``: the hits of a search.

    An index for "who saw this case"; the entry's hashed ``details`` hold the same ids.
    """

    __tablename__ = "audit_case_refs"

    case_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    entry_id: Mapped[int] = mapped_column(
        sa.ForeignKey("audit_entries.id"), primary_key=True, autoincrement=False
    )

"""The audit log: append chained entries in the caller's transaction, and verify the chain.

Each entry's hash is SHA-256 over its predecessor's hash and a canonical serialisation
(sorted-key JSON) of its own fields, so altering, removing or inserting an entry
breaks the chain at that point. Appends serialise on the one-row chain head (a row
lock on PostgreSQL; SQLite has one writer at a time anyway), so concurrent writers
still build one unbroken chain.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.domain.vocab import AuditAction
from zentrum.models import AuditCaseRef, AuditChainHead, AuditEntry, User
from zentrum.models.audit import GENESIS_HASH
from zentrum.models.base import utcnow
from zentrum.services.statements import prepared

HEAD_ID = 1
# Keys that must never appear in an entry's details, at any depth.
FORBIDDEN_DETAIL_KEYS = frozenset(
    {"password", "passwort", "token", "secret", "session", "session_id", "text", "body", "note"}
)
VERIFY_BATCH = 1000
# Set in ``session.info`` once the current transaction holds an audit entry.
RECORDED = "audit_recorded"
# In ``session.info``: the tables, cases and persons the current transaction wrote, for
# the request's "change" entry (``web.auditing``).
CHANGES = "audit_changes"


def written(session: Session) -> dict:
    """What the current transaction wrote so far: tables, case ids and person ids."""
    return session.info.setdefault(CHANGES, {"tables": set(), "cases": set(), "persons": set()})


class AuditError(RuntimeError):
    """An audit entry cannot be written; the caller's transaction must not commit."""


@dataclass(frozen=True)
class Problem:
    """One defect in the chain, found by ``verify``."""

    entry_id: int | None
    message: str

    def __str__(self) -> str:
        where = f"Eintrag {self.entry_id}: " if self.entry_id is not None else ""
        return where + self.message


def canonical(entry: AuditEntry | sa.Row) -> str:
    """The entry's own fields as sorted-key JSON: what its hash covers besides prev_hash."""
    return json.dumps(
        {
            "id": entry.id,
            "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "user_id": entry.user_id,
            "username": entry.username,
            "action": entry.action,
            "case_id": entry.case_id,
            "person_id": entry.person_id,
            "address": entry.address,
            "details": entry.details,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def entry_hash(prev_hash: str, entry: AuditEntry | sa.Row) -> str:
    """SHA-256 over the predecessor's hash and the entry's canonical form."""
    return hashlib.sha256(f"{prev_hash}\n{canonical(entry)}".encode()).hexdigest()


def _check_details(details: Any) -> None:
    """Refuse keys that would carry note text, passwords, tokens or session ids."""
    if isinstance(details, dict):
        for key, value in details.items():
            if str(key).lower() in FORBIDDEN_DETAIL_KEYS:
                raise AuditError(f"audit details must not contain {key!r}")
            _check_details(value)
    elif isinstance(details, list | tuple):
        for value in details:
            _check_details(value)


def _request_defaults(user: User | None, address: str | None) -> tuple[User | None, str | None]:
    """Inside a request: the logged-in user and the client's address, unless given."""
    from flask import has_request_context, request
    from flask_login import current_user

    if not has_request_context():
        return user, address
    if user is None and current_user.is_authenticated:
        user = current_user._get_current_object()
    if address is None:
        address = request.remote_addr
    return user, address


def _lock_head(session: Session) -> tuple[int, str]:
    """Lock the chain head for the rest of the transaction and read it; create it if new.

    The lock is a write (an UPDATE that changes nothing), so that SQLite takes its write
    lock before it reads and PostgreSQL's row lock hands every waiter the newest head.
    """
    table = AuditChainHead.__table__
    lock = prepared(
        "audit head lock",
        lambda: (
            sa.update(table)
            .where(table.c.id == HEAD_ID)
            .values(last_id=table.c.last_id)
            .returning(table.c.last_id, table.c.last_hash)
        ),
    )
    head = session.execute(lock).first()
    if head is None:
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        # A lost head row continues from the newest entry (verify reports it missing).
        last = session.execute(
            sa.select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
        ).first()
        last_id, last_hash = last if last else (0, GENESIS_HASH)
        session.execute(
            insert(table)
            .values(id=HEAD_ID, last_id=last_id, last_hash=last_hash)
            .on_conflict_do_nothing()
        )
        head = session.execute(lock).one()
    return head.last_id, head.last_hash


def _move_head() -> sa.Update:
    table = AuditChainHead.__table__
    return (
        sa.update(table)
        .where(table.c.id == HEAD_ID)
        .values(last_id=sa.bindparam("new_id"), last_hash=sa.bindparam("new_hash"))
    )


def record(
    session: Session,
    action: AuditAction | str,
    *,
    user: User | None = None,
    username: str | None = None,
    case_id: int | None = None,
    person_id: int | None = None,
    details: dict[str, Any] | None = None,
    address: str | None = None,
) -> AuditEntry:
    """Append a chained entry to the session's current transaction; the caller commits.

    Inside a request ``user`` defaults to the logged-in user and ``address`` to the
    client's address. An error here must roll the caller's action back with it.
    """
    _check_details(details)
    # The lock comes first: a deferred SQLite transaction that has not read yet (the
    # session-expiry entry) then waits for the write lock before it reads anything.
    last_id, last_hash = _lock_head(session)
    user, address = _request_defaults(user, address)
    if username is None and user is not None:
        username = user.username
    fields = {
        "id": last_id + 1,
        "at": utcnow(),
        "user_id": user.id if user is not None else None,
        "username": username,
        "action": str(action),
        "case_id": case_id,
        "person_id": person_id,
        "address": address,
        "details": details or None,
        "prev_hash": last_hash,
    }
    entry = AuditEntry(**fields)
    entry.hash = entry_hash(entry.prev_hash, entry)
    # Written with one INSERT, not through the session's unit of work (a flush of its own
    # in every audited request); the returned entry is a plain record of what was written.
    # Both statements are built once (every request writes one entry).
    session.execute(
        prepared("audit insert", lambda: sa.insert(AuditEntry.__table__)),
        {**fields, "hash": entry.hash},
    )
    session.execute(
        prepared("audit head move", _move_head), {"new_id": entry.id, "new_hash": entry.hash}
    )
    session.info[RECORDED] = True
    return entry


def record_search(session: Session, case_ids: list[int], **fields) -> AuditEntry:
    """Record a search by the cases it showed (never what was typed: it may be a name)."""
    ids = sorted(set(case_ids))
    entry = record(
        session, AuditAction.SEARCH, details={"results": len(ids), "case_ids": ids}, **fields
    )
    if ids:
        session.execute(
            sa.insert(AuditCaseRef), [{"case_id": i, "entry_id": entry.id} for i in ids]
        )
    return entry


def _entries(session: Session) -> Iterator[sa.Row]:
    """Every entry in chain order as plain rows (not the session's objects), in batches."""
    table = AuditEntry.__table__
    after = 0
    while True:
        batch = session.execute(
            sa.select(table).where(table.c.id > after).order_by(table.c.id).limit(VERIFY_BATCH)
        ).all()
        if not batch:
            return
        yield from batch
        after = batch[-1].id


def verify(session: Session) -> list[Problem]:
    """Check the whole chain; an empty list means every entry is intact and present."""
    problems: list[Problem] = []
    expected_id, prev_hash = 1, GENESIS_HASH
    for entry in _entries(session):
        if entry.id != expected_id:
            missing = f"{expected_id}" if entry.id == expected_id + 1 else None
            problems.append(
                Problem(
                    entry.id,
                    f"Eintrag {missing} fehlt"
                    if missing
                    else f"Einträge {expected_id} bis {entry.id - 1} fehlen",
                )
            )
        if entry.prev_hash != prev_hash:
            problems.append(
                Problem(entry.id, "Verweis auf den Vorgänger stimmt nicht (Eintrag eingefügt?)")
            )
        if entry_hash(entry.prev_hash, entry) != entry.hash:
            problems.append(Problem(entry.id, "Inhalt verändert (Prüfsumme stimmt nicht)"))
        expected_id, prev_hash = entry.id + 1, entry.hash
    problems.extend(_check_head(session, expected_id - 1, prev_hash))
    return problems


def _check_head(session: Session, last_id: int, last_hash: str) -> list[Problem]:
    """The head names the last entry written; a shorter chain lost entries at its end."""
    head = session.get(AuditChainHead, HEAD_ID, populate_existing=True)
    if head is None:
        return [] if last_id == 0 else [Problem(None, "Kettenkopf fehlt")]
    if head.last_id != last_id or head.last_hash != last_hash:
        return [
            Problem(
                None,
                f"Kette endet bei Eintrag {last_id}, zuletzt geschrieben wurde Eintrag "
                f"{head.last_id} (Einträge am Ende entfernt oder verändert?)",
            )
        ]
    return []


def count(session: Session) -> int:
    """How many entries the log holds."""
    return session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) or 0


def last_hash(session: Session) -> str:
    """The hash of the newest entry (the chain head's), or the genesis hash of an empty log."""
    head = session.get(AuditChainHead, HEAD_ID)
    return head.last_hash if head is not None else GENESIS_HASH

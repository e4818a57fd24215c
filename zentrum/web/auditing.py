"""Audit entries from the web layer: every change a request commits, refused case access.

Every request that changes the database gets an audit entry in the same transaction
without the view having to remember it: the session notes what a flush or a DML
statement wrote, and just before the commit a "change" entry names the endpoint, the
tables written and the case and person concerned. A view that records a more telling
entry itself (a login, a consent, a new user …) is not recorded twice. If the entry
cannot be written the commit fails and the action is rolled back with it.
"""

import sqlalchemy as sa
from flask import abort, has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Session

from zentrum.domain.vocab import AuditAction
from zentrum.extensions import db
from zentrum.models import AuditChainHead, AuditEntry, Case, CaseMember, Person
from zentrum.services import audit
from zentrum.services.cases import get_visible_case

_AUDIT_TABLES = {AuditEntry.__tablename__, AuditChainHead.__tablename__}
_READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def _in_writing_request() -> bool:
    return has_request_context() and request.method not in _READ_METHODS


def _note_object(changes: dict, obj) -> None:
    """Remember the table, case and person an object written belongs to."""
    changes["tables"].add(obj.__tablename__)
    if isinstance(obj, Case):
        changes["cases"].add(obj.id)
    elif getattr(obj, "case_id", None) is not None:
        changes["cases"].add(obj.case_id)
    if isinstance(obj, Person):
        changes["persons"].add(obj.id)
    elif isinstance(obj, CaseMember) or getattr(obj, "person_id", None) is not None:
        changes["persons"].add(obj.person_id)


def _after_flush(session: Session, _context) -> None:
    """Note what the flush wrote (the audit tables themselves aside)."""
    if not _in_writing_request():
        return
    written = [
        obj
        for obj in (*session.new, *session.dirty, *session.deleted)
        if getattr(obj, "__tablename__", None) not in _AUDIT_TABLES
        and (obj not in session.dirty or session.is_modified(obj))
    ]
    for obj in written:
        _note_object(audit.written(session), obj)


def _on_execute(state) -> None:
    """Note INSERT, UPDATE and DELETE statements run directly (conditional updates …)."""
    if not (_in_writing_request() and (state.is_insert or state.is_update or state.is_delete)):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name and name not in _AUDIT_TABLES:
        audit.written(state.session)["tables"].add(name)


def _single(ids: set) -> int | None:
    ids = {i for i in ids if i is not None}
    return next(iter(ids)) if len(ids) == 1 else None


def _before_commit(session: Session) -> None:
    """A request that wrote, and recorded nothing itself, gets a "change" entry."""
    changes = session.info.get(audit.CHANGES)
    if not (_in_writing_request() and changes and changes["tables"]):
        return
    if session.info.get(audit.RECORDED):
        return
    view_args = request.view_args or {}
    view_case = view_args.get("case_id")
    case_id = view_case if isinstance(view_case, int) else _single(changes["cases"])
    details = {"endpoint": request.endpoint, "tables": sorted(changes["tables"])}
    other_ids = {k: v for k, v in view_args.items() if k != "case_id" and isinstance(v, int)}
    if other_ids:
        details["ids"] = other_ids  # e.g. which offer, rule or partner
    cases = sorted(i for i in changes["cases"] if i is not None)
    if len(cases) > 1:
        details["case_ids"] = cases
    audit.record(
        session,
        AuditAction.CHANGE,
        case_id=case_id,
        person_id=_single(changes["persons"]),
        details=details,
    )


def _after_transaction_end(session: Session, transaction) -> None:
    """A new transaction starts with nothing noted."""
    if transaction.parent is None:
        session.info.pop(audit.CHANGES, None)
        session.info.pop(audit.RECORDED, None)


def register_auditing() -> None:
    """Listen to the application's sessions (once per process)."""
    target = db.session
    if sa.event.contains(target, "before_commit", _before_commit):
        return
    sa.event.listen(target, "after_flush", _after_flush)
    sa.event.listen(target, "do_orm_execute", _on_execute)
    sa.event.listen(target, "before_commit", _before_commit)
    sa.event.listen(target, "after_transaction_end", _after_transaction_end)


def commit_entry(action: AuditAction, **fields) -> None:
    """Record an entry for what the request does and commit it (views that only read)."""
    audit.record(db.session, action, **fields)
    db.session.commit()


def refuse(case_id: int | None = None):
    """Record a refused access and answer 404, as for a case that does not exist."""
    db.session.rollback()
    commit_entry(
        AuditAction.ACCESS_REFUSED, case_id=case_id, details={"endpoint": request.endpoint}
    )
    abort(404)


def visible_case_or_404(case_id: int) -> Case:
    """The case if the user may see it; otherwise the refusal is recorded and 404 answered."""
    case = get_visible_case(db.session, current_user, case_id)
    if case is None:
        refuse(case_id)
    return case

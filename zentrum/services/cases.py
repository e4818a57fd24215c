"""Reading cases: visibility, the start page list, the case page, search."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from zentrum.domain.clock import start_of_local_day
from zentrum.domain.names import name_key, name_tokens, prefix_end
from zentrum.domain.reference import parse_reference
from zentrum.domain.vocab import BasisStatus, CaseStatus, MemberRole, Role, Urgency
from zentrum.models import (
    Case,
    CaseAccess,
    CaseMember,
    Consent,
    LegalBasisRecord,
    Partner,
    Person,
    PersonNamePair,
    PersonNameToken,
    User,
)
from zentrum.services.statements import CASE_ID, VIEWER_PARTNER, prepared, viewer_params


def visible_clause(user: User) -> sa.ColumnElement[bool]:
    """SQL condition: the cases this user may see.

    Front desk, supervisors and admins see every case; an advisor only the
    cases their partner holds, held, was offered or was referred to, and not
    those a revocation hides from the partner.
    """
    return _visible(user.role == Role.ADVISOR, user.partner_id)


def _visible(advisor: bool, partner) -> sa.ColumnElement[bool]:
    """``visible_clause`` for an advisor of ``partner`` (an id or a bind parameter) or not."""
    if advisor:
        # EXISTS, not IN: one primary-key lookup per case looked at. SQLite would build
        # the whole IN list first – every case the partner ever touched, ~40 ms at 100 000.
        involved = (
            sa.select(CaseAccess.case_id)
            .where(CaseAccess.case_id == Case.id, CaseAccess.partner_id == partner)
            .exists()
        )
        return sa.and_(involved, ~hidden_by_revocation(partner))
    return sa.true()


def revocation_stands(partner) -> sa.ColumnElement[bool]:
    """SQL condition: the young person revoked the consent for ``partner`` (an id or a
    column) and neither a newer consent nor an approved legal basis stands for it."""

    def consent(*conditions):
        # Joined, not a nested scalar subquery: that one would not correlate with the outer case.
        return (
            sa.select(Consent.id)
            .join(CaseMember, CaseMember.person_id == Consent.person_id)
            .where(
                CaseMember.case_id == Case.id,
                CaseMember.role == MemberRole.YOUNG_PERSON.value,
                Consent.partner_id == partner,
                *conditions,
            )
            .exists()
        )

    approved = (
        sa.select(LegalBasisRecord.id)
        .where(
            LegalBasisRecord.case_id == Case.id,
            LegalBasisRecord.partner_id == partner,
            LegalBasisRecord.status == BasisStatus.APPROVED.value,
        )
        .exists()
    )
    return sa.and_(
        consent(Consent.revoked_at.is_not(None)), ~consent(Consent.revoked_at.is_(None)), ~approved
    )


def hidden_by_revocation(partner_id) -> sa.ColumnElement[bool]:
    """SQL condition: a revocation hides the case from this partner
    (``domain.consent.hidden_after_revocation`` in SQL).

    The responsible partner keeps the case; a crisis at the Jugendamt stays visible too.
    """
    # Read in SQL, so that the clause needs only the viewer's partner id.
    child_protection = (
        sa.select(Partner.id).where(Partner.id == partner_id, Partner.child_protection).exists()
    )
    return sa.and_(
        revocation_stands(partner_id),
        sa.or_(Case.holder_partner_id.is_(None), Case.holder_partner_id != partner_id),
        sa.not_(sa.and_(child_protection, Case.urgency == Urgency.CRISIS.value)),
    )


@dataclass
class CaseRow:
    """One line of a case list."""

    case: Case
    person: Person


def _page_ids(user: User) -> sa.Select:
    """Ids of visible cases, newest first: a page is picked by index before any join."""
    return (
        sa.select(Case.id, Case.created_at)
        .where(visible_clause(user))
        .order_by(Case.created_at.desc(), Case.id.desc())
    )


def _list_query(page: sa.Select) -> sa.Select:
    """The cases of a page of ids with their young person, newest first.

    Joining members and persons before the LIMIT let SQLite sort every case (300 ms at
    100 000 cases); the page's ids come from the index on (created_at, id) alone. The
    rows are ordered by the page's columns: ordered by the case's, SQLite without
    statistics walked every case by that index to find the page's (0.6 s at 1 000 000).
    """
    ids = page.subquery("page")
    return (
        sa.select(Case, Person)
        .join(ids, ids.c.id == Case.id)
        .join(
            CaseMember,
            sa.and_(
                CaseMember.case_id == Case.id, CaseMember.role == MemberRole.YOUNG_PERSON.value
            ),
        )
        .join(Person, Person.id == CaseMember.person_id)
        .options(selectinload(Case.topics))
        .order_by(ids.c.created_at.desc(), ids.c.id.desc())
    )


def recent_cases(
    session: Session,
    user: User,
    *,
    before_id: int | None = None,
    limit: int = 25,
    responsible_only: bool = False,
) -> tuple[list[CaseRow], int | None]:
    """A page of cases, newest first, paged by index from ``before_id``; and the next cursor.

    ``responsible_only`` keeps the open cases the user is responsible for ("Meine Fälle").
    """
    page = _page_ids(user).limit(limit + 1)
    if responsible_only:
        page = page.where(
            Case.responsible_user_id == user.id, Case.status == CaseStatus.WITH_PARTNER.value
        )
    if before_id is not None:
        anchor = sa.select(Case.created_at).where(Case.id == before_id).scalar_subquery()
        page = page.where(sa.tuple_(Case.created_at, Case.id) < sa.tuple_(anchor, before_id))
    stmt = _list_query(page)
    rows = [CaseRow(case, person) for case, person in session.execute(stmt)]
    next_cursor = rows[limit - 1].case.id if len(rows) > limit else None
    return rows[:limit], next_cursor


def count_since(session: Session, user: User, since: datetime) -> int:
    """How many visible cases were recorded since a moment."""
    stmt = sa.select(sa.func.count(Case.id)).where(visible_clause(user), Case.created_at >= since)
    return session.scalar(stmt) or 0


def count_today(session: Session, user: User, now: datetime) -> int:
    """How many visible cases were recorded today (Wuppertal time)."""
    return count_since(session, user, start_of_local_day(now))


def get_visible_case(session: Session, user: User, case_id: int) -> Case | None:
    """The case with its members and topics, or None when it does not exist for this user."""
    advisor = user.role == Role.ADVISOR

    def build():
        # The members joined (a round trip less); the topics not: SQLite would build the
        # whole join of case_topics and topics first (40 ms at 100,000 cases).
        return (
            sa.select(Case)
            .where(Case.id == CASE_ID, _visible(advisor, VIEWER_PARTNER))
            .options(joinedload(Case.members), selectinload(Case.topics))
        )

    params = viewer_params(case_id, user.partner_id if advisor else None)
    stmt = prepared(("visible case", advisor), build)
    return session.execute(stmt, params).unique().scalar_one_or_none()


def newest_statement(entity, where, order, newest: int | None) -> sa.Select:
    """The ``newest`` rows of ``entity`` matching ``where`` by ``order``, newest first,
    each with how many match in all (``newest=None``: every row); see ``newest_rows``.

    The ids of the newest rows and the total (a window count over the matching rows)
    come from the entity's table alone; only those rows are then joined to what the
    entity loads with them (users, partners).
    """
    newest_first = [column.desc() for column in order]
    page = (
        sa.select(entity.id.label("id"), sa.func.count().over().label("total"))
        .where(*where)
        .order_by(*newest_first)
        .limit(newest)
        .subquery()
    )
    return (
        sa.select(entity, page.c.total).join(page, entity.id == page.c.id).order_by(*newest_first)
    )


def newest_rows(session: Session, stmt: sa.Select, params: dict) -> tuple[list, int]:
    """The rows of a ``newest_statement``, oldest first, and how many match in all."""
    rows = session.execute(stmt, params).unique().all()
    return [row for row, _total in reversed(rows)], (rows[0][1] if rows else 0)


def case_consents(session: Session, case: Case) -> list[Consent]:
    """Consents of the case's persons, newest first."""
    person_ids = [member.person_id for member in case.members]
    stmt = prepared(
        "case consents",
        lambda: (
            sa.select(Consent)
            .where(Consent.person_id.in_(sa.bindparam("person_ids", expanding=True)))
            .order_by(Consent.granted_at.desc(), Consent.id.desc())
        ),
    )
    return list(session.scalars(stmt, {"person_ids": person_ids}))


# The most cases a search lists (the newest first).
SEARCH_LIMIT = 50


def search_cases(
    session: Session, user: User, query: str, *, limit: int = SEARCH_LIMIT
) -> list[CaseRow]:
    """Visible cases by reference, or by any person's name on them."""
    query = query.strip()
    if not query:
        return []
    reference = parse_reference(query)
    if reference is not None:
        # No ORDER BY: SQLite would walk the date index instead of the unique reference.
        page = sa.select(Case.id, Case.created_at).where(
            visible_clause(user), Case.reference == query.upper()
        )
        return [CaseRow(c, p) for c, p in session.execute(_list_query(page))]
    page = _page_ids(user).limit(limit)
    tokens = name_tokens(name_key(query))
    if not tokens:
        return []
    persons = _persons_named(sorted(tokens, key=lambda t: (-len(t), t)))
    member = sa.orm.aliased(CaseMember)
    matching = sa.select(member.case_id).where(member.person_id.in_(persons))
    page = page.where(Case.id.in_(matching))
    return [CaseRow(c, p) for c, p in session.execute(_list_query(page))]


def _persons_named(words: list[str]) -> sa.Select:
    """Persons with a name word starting with each of ``words`` (longest first).

    Two words are looked up together in the word pairs: the distinct words that start
    with the first are walked through the index (a loose index scan: one step per
    distinct word, not per person), and for each the pairs starting with it and the
    second word. The cost follows the people with both words, not the thousands who
    share a common first or last name. More words narrow that down by their ranges.
    """
    # A word that begins another ("ke" in "kem ke") is met by the same name word: only
    # the longer one is looked for (a pair needs two different words).
    words = [w for w in words if not any(o != w and o.startswith(w) for o in words)]
    if len(words) == 1:
        return _persons_with_word(words[0])
    first, second, *rest = words
    token = PersonNameToken.token
    step = sa.orm.aliased(PersonNameToken)
    end = prefix_end(first)
    distinct = (
        sa.select(sa.func.min(token).label("word"))
        .where(token >= first, token < end)
        .cte("words", recursive=True)
    )
    distinct = distinct.union_all(
        sa.select(
            sa.select(sa.func.min(step.token))
            .where(step.token > distinct.c.word, step.token < end)
            .scalar_subquery()
        ).where(distinct.c.word.is_not(None))
    )
    pair = PersonNamePair.pair
    start = distinct.c.word + " " + second
    persons = (
        sa.select(PersonNamePair.person_id)
        .join(distinct, sa.and_(pair >= start, pair < distinct.c.word + " " + prefix_end(second)))
        # Exact prefixes, whatever the database's collation orders between the bounds.
        .where(
            sa.func.substr(distinct.c.word, 1, len(first)) == first,
            sa.func.substr(pair, 1, sa.func.length(start)) == start,
        )
    )
    for word in rest:
        persons = persons.where(PersonNamePair.person_id.in_(_persons_with_word(word)))
    return persons


def _persons_with_word(prefix: str) -> sa.Select:
    """Persons with a word in their name that starts with ``prefix``, through the index.

    The range finds the words by index in byte order; LIKE keeps the answer right
    where a database's collation orders differently.
    """
    token = PersonNameToken.token
    return sa.select(PersonNameToken.person_id).where(
        token >= prefix,
        token < prefix_end(prefix),
        token.startswith(prefix, autoescape=True),
    )

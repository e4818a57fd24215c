"""Load test, before: the users of a busy morning and what the database holds now.

Writes the JSON file locust reads (users, partners, topics, password) with a baseline of
counts that ``load_check.py`` compares against afterwards. One Argon2 hash for all load
users (175 hashes would take a minute and test nothing). Usage:
``ZENTRUM_DATABASE_URL=... python benchmarks/load_setup.py /tmp/zentrum-load.json``
"""

import json
import sys

import sqlalchemy as sa

from zentrum import create_app
from zentrum.extensions import db
from zentrum.models import Case, CaseEvent, CaseNote, Handover, Partner, Topic, User
from zentrum.passwords import hash_password

PASSWORD = "Lasttest-Morgen-2026"  # noqa: S105 - throwaway accounts on a throwaway database
KINDS = {"frontdesk": 20, "advisor": 150, "supervisor": 5}


def baseline(session) -> dict[str, int]:
    """The counts that the load test's writes change."""

    def count(model, *where):
        return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

    return {
        "cases": count(Case),
        "offers": count(Handover),
        "accepted": count(Handover, Handover.status == "accepted"),
        "accept_events": count(CaseEvent, CaseEvent.kind == "accept"),
        "notes": count(CaseNote),
        "last_event_id": session.scalar(sa.select(sa.func.max(CaseEvent.id))) or 0,
    }


def main(path: str) -> None:
    app = create_app()
    with app.app_context():
        session = db.session
        partners = list(session.scalars(sa.select(Partner).where(Partner.active)))
        hashed = hash_password(PASSWORD)
        users: dict[str, list[str]] = {kind: [] for kind in KINDS}
        for kind, number in KINDS.items():
            for i in range(number):
                name = f"last-{kind}-{i:03d}"
                partner = partners[i % len(partners)] if kind == "advisor" else None
                if session.scalar(sa.select(User.id).where(User.username == name)) is None:
                    session.add(
                        User(
                            username=name,
                            display_name=f"Last {kind} {i}",
                            password_hash=hashed,
                            role=kind,
                            partner_id=partner.id if partner else None,
                        )
                    )
                users[kind].append(name)
        session.commit()
        setup = {
            "password": PASSWORD,
            "users": users,
            "partners": [p.id for p in partners],
            "topics": list(session.scalars(sa.select(Topic.id).where(Topic.active))),
            "baseline": baseline(session),
        }
    with open(path, "w") as out:  # noqa: PTH123
        json.dump(setup, out)
    print(f"{sum(KINDS.values())} Lasttest-Benutzer, Ausgangsstand: {setup['baseline']}")


if __name__ == "__main__":
    main(sys.argv[1])

"""Load test, after: throughput, p95 and errors from locust, then the database checked.

No lost or doubled writes: every intake the server confirmed (302) is one new case and
nothing more; references are unique and without gaps; every accepted offer was accepted
exactly once (one accept event, by the one advisor whose POST succeeded).
Usage: ``python benchmarks/load_check.py SETUP.json STATS.json``; exit 1 on a
failed check.
"""

import json
import sys
from collections import Counter
from datetime import UTC, datetime

import sqlalchemy as sa

from benchmarks.load_setup import baseline
from zentrum import create_app
from zentrum.extensions import db
from zentrum.models import Case, CaseCounter, CaseEvent, Handover


def locust_stats(path: str) -> dict[str, dict]:
    """The figures the locustfile wrote after the last user finished (ZENTRUM_LOAD_STATS)."""
    with open(path) as stats:  # noqa: PTH123
        return json.load(stats)


def confirmed(stats, name: str) -> int:
    row = stats.get(name)
    return row["requests"] - row["failures"] if row else 0


def report(stats) -> None:
    print(f"{'Anfrage':<18}{'Anzahl':>8}{'Fehler':>8}{'p50 ms':>8}{'p95 ms':>8}{'pro s':>8}")
    for name, row in stats.items():
        print(
            f"{name:<18}{row['requests']:>8}{row['failures']:>8}"
            f"{row['p50']:>8.0f}{row['p95']:>8.0f}{row['rps']:>8.1f}"
        )


def checks(session, before: dict, stats) -> list[tuple[str, bool, str]]:
    after = baseline(session)
    new_cases = after["cases"] - before["cases"]
    intakes = confirmed(stats, "intake")
    accepts = confirmed(stats, "accept")
    year = datetime.now(UTC).year
    numbers = [
        int(ref.rsplit("-", 1)[1])
        for ref in session.scalars(
            sa.select(Case.reference).where(Case.reference.like(f"ZZ-{year}-%"))
        )
    ]
    last = session.scalar(sa.select(CaseCounter.last_number).where(CaseCounter.year == year)) or 0
    # Accept events written during the run, by the offer they accepted.
    events = session.execute(
        sa.select(CaseEvent.details).where(
            CaseEvent.kind == "accept", CaseEvent.id > before["last_event_id"]
        )
    ).scalars()
    per_offer = Counter((details or {}).get("handover_id") for details in events)
    doubled = sum(1 for n in per_offer.values() if n > 1)
    statuses = dict(
        session.execute(
            sa.select(Handover.id, Handover.status).where(Handover.id.in_(list(per_offer)))
        ).all()
    )
    accepted_without_event = sum(1 for s in statuses.values() if s != "accepted")
    new_accepts = after["accepted"] - before["accepted"]
    new_accept_events = after["accept_events"] - before["accept_events"]
    return [
        ("bestätigte Anliegen = neue Fälle", intakes == new_cases, f"{intakes} / {new_cases}"),
        (
            "Aktenzeichen eindeutig und lückenlos",
            sorted(numbers) == list(range(1, last + 1)),
            f"{len(numbers)} Nummern, Zähler {last}",
        ),
        (
            "bestätigte Annahmen = neu angenommene Angebote = Annahme-Einträge",
            accepts == new_accepts == new_accept_events,
            f"{accepts} / {new_accepts} / {new_accept_events}",
        ),
        ("kein Angebot doppelt angenommen", doubled == 0, f"{doubled} doppelt"),
        (
            "jeder Annahme-Eintrag gehört zu einem angenommenen Angebot",
            accepted_without_event == 0,
            f"{accepted_without_event} ohne",
        ),
    ]


def main(setup_path: str, prefix: str) -> int:
    setup = json.load(open(setup_path))  # noqa: SIM115, PTH123
    stats = locust_stats(prefix)
    report(stats)
    total = stats["Aggregated"]
    print(
        f"\nDurchsatz {total['rps']:.1f} Anfragen/s, "
        f"p95 {total['p95']:.0f} ms, Fehler {total['failures']}"
    )
    app = create_app()
    with app.app_context():
        results = checks(db.session, setup["baseline"], stats)
    ok = True
    for name, passed, detail in results:
        print(f"{'OK ' if passed else 'FEHLER'} {name}: {detail}")
        ok = ok and passed
    ok = ok and total["failures"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))

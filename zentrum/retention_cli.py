"""``zentrum retention``: the dry run's listing and the real run's batches and counts."""

from datetime import datetime

import click
from sqlalchemy.orm import Session

from zentrum.domain.clock import local_date
from zentrum.domain.vocab import AuditAction
from zentrum.services.audit import record
from zentrum.services.retention import RetentionCounts, anonymise_next_batch, plan


def _summary(counts: RetentionCounts) -> list[str]:
    """The counts as lines of text; references only, never names."""
    return [
        f"Fälle: {counts.cases}",
        f"Personen anonymisiert: {counts.persons}",
        f"Personen vorerst behalten (weiterer Fall noch nicht fällig): {counts.persons_kept}",
        f"Notiztexte entfernt: {counts.notes}",
        f"Verlaufseinträge bereinigt: {counts.events}",
        f"Übergaben bereinigt: {counts.handovers}",
        f"Hinzuziehungen bereinigt: {counts.referrals}",
        f"Einwilligungsnachweise behalten (ohne Namen): {counts.consents_kept}",
    ]


def _total(batches: list[RetentionCounts], cutoff: datetime) -> RetentionCounts:
    total = RetentionCounts(cutoff=cutoff)
    for batch in batches:
        for name in (
            "cases",
            "persons",
            "persons_kept",
            "notes",
            "events",
            "handovers",
            "referrals",
            "consents_kept",
        ):
            setattr(total, name, getattr(total, name) + getattr(batch, name))
        total.references += batch.references
    return total


def _dry_run(session: Session, now: datetime, years: int) -> None:
    try:
        counts = plan(session, now, years)
    finally:
        session.rollback()  # read only: end the transaction
    click.echo(
        f"Probelauf – nichts wird geändert. Fällig: abgeschlossen vor dem "
        f"{local_date(counts.cutoff):%d.%m.%Y} ({years} Jahre)."
    )
    for line in _summary(counts):
        click.echo(f"  {line}")
    if counts.references:
        click.echo("Aktenzeichen: " + ", ".join(counts.references))


def _audit(session: Session, counts: RetentionCounts, years: int) -> None:
    """The audit entry of one batch, in its transaction: counts and references, no names."""
    record(session, AuditAction.RETENTION_RUN, details={"years": years, **counts.details()})


def run_retention(session: Session, now: datetime, years: int, dry_run: bool) -> None:
    """Anonymise the due cases batch by batch (one transaction each), or only list them."""
    if dry_run:
        _dry_run(session, now, years)
        return
    batches: list[RetentionCounts] = []
    while True:
        try:
            counts = anonymise_next_batch(session, now, years)
            if counts.cases:
                _audit(session, counts, years)
            session.commit()
        except Exception:
            session.rollback()
            raise
        if not counts.cases:
            break
        batches.append(counts)
    total = _total(batches, counts.cutoff)
    click.echo(
        f"Aufbewahrung: abgeschlossen vor dem {local_date(total.cutoff):%d.%m.%Y} "
        f"({years} Jahre) – anonymisiert."
    )
    for line in _summary(total):
        click.echo(f"  {line}")

"""Demo histories: the front desk routes cases, partners accept, decline, note, close.

Every step goes through the real services with the simulated moment as ``now``,
so the demo's history is what the service itself would have written.
"""

import random
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.domain.business_hours import add_business_time
from zentrum.domain.clock import local_date
from zentrum.domain.consent import required_giver
from zentrum.domain.lifecycle import TransitionError
from zentrum.domain.vocab import (
    ConsentGiver,
    DeclineReason,
    LegalBasis,
    MemberRole,
    Outcome,
    Role,
)
from zentrum.models import Case, Consent, Partner, User
from zentrum.services.case_actions import close_case, record_first_contact
from zentrum.services.consents import (
    ConsentData,
    decide_basis,
    record_consent,
    request_basis,
    revoke_consent,
)
from zentrum.services.handover import accept_offer, decline_offer, offer_case
from zentrum.services.lifecycle import has_consent
from zentrum.services.notes import add_note
from zentrum.services.referrals import answer_referral, refer_case
from zentrum.services.routing import suggestions_for

# What the front desk usually asks the consent for, per partner.
CATEGORIES = {
    "jobcenter": ("master_data", "contact", "benefits"),
    "jugendamt": ("master_data", "contact", "family"),
    "ihk": ("master_data", "contact", "school"),
    "hwk": ("master_data", "contact", "school"),
    "uni": ("master_data", "contact", "school"),
}
PURPOSES = {
    "jobcenter": "Klärung von Leistungen und Vermittlung in Arbeit oder Ausbildung",
    "jugendamt": "Beratung und Unterstützung in Familie und Erziehung",
    "ihk": "Vermittlung in eine Ausbildung",
    "hwk": "Vermittlung in eine Ausbildung im Handwerk",
    "uni": "Studienberatung",
}

NOTES = (
    "Erstgespräch telefonisch vereinbart.",
    "Unterlagen (Zeugnisse, Lebenslauf) angefordert.",
    "Termin im Zentrum Zukunft wahrgenommen, nächste Schritte besprochen.",
    "Rückruf der Mutter, Termin verschoben.",
    "Bewerbungsunterlagen gemeinsam überarbeitet.",
    "Antrag ausgehändigt, Rückgabe bis Monatsende.",
)


class DemoFlow:
    """Plays the lifecycle of demo cases forward to ``now``."""

    def __init__(
        self, session: Session, rng: random.Random, now: datetime, frontdesk: list[User]
    ) -> None:
        self.session = session
        self.rng = rng
        self.now = now
        self.frontdesk = frontdesk
        self.partners = list(session.scalars(sa.select(Partner).where(Partner.active)))
        advisors = session.scalars(sa.select(User).where(User.role == Role.ADVISOR))
        self.supervisors = list(
            session.scalars(sa.select(User).where(User.role == Role.SUPERVISOR, User.active))
        )
        self.advisors: dict[int, list[User]] = {}
        for advisor in advisors:
            self.advisors.setdefault(advisor.partner_id, []).append(advisor)

    def _later(self, moment: datetime, low_minutes: int, high_minutes: int) -> datetime:
        """A moment some working time after ``moment``."""
        minutes = int(self.rng.triangular(low_minutes, high_minutes, low_minutes * 2))
        return add_business_time(moment, timedelta(minutes=minutes))

    def _ensure_consent(self, case: Case, partner: Partner, at: datetime, actor: User) -> None:
        """The front desk asked for consent for the partner it routes to, signed that day."""
        if has_consent(self.session, case, partner.id):
            return
        given_by = required_giver(case.young_person.birth_date, local_date(at))
        parents = [m.person.full_name for m in case.members if m.role == MemberRole.PARENT]
        data = ConsentData(
            categories=list(CATEGORIES.get(partner.code, ("master_data", "contact"))),
            purpose=PURPOSES.get(partner.code, "Beratung zum Anliegen"),
            given_on=local_date(at),
            given_by=given_by or ConsentGiver.YOUNG_PERSON,
            guardian_names=", ".join(parents)
            or f"Sorgeberechtigte von {case.young_person.full_name}",
        )
        record_consent(self.session, actor, at, case, partner, data)

    def _maybe_basis(self, case: Case, desk: User, at: datetime) -> None:
        """Now and then the front desk asks for a legal basis for the Jobcenter; the Leitung decides."""
        jobcenter = next((p for p in self.partners if p.code == "jobcenter"), None)
        if jobcenter is None or not self.supervisors or self.rng.random() > 0.03:
            return
        record = request_basis(
            self.session,
            desk,
            at,
            case,
            jobcenter,
            LegalBasis.SGB_II_50.value,
            "Leistungsbezug der Bedarfsgemeinschaft muss geklärt werden; "
            "die Person ist telefonisch nicht erreichbar.",
        )
        decided = self._later(at, 30, 600)
        if decided <= self.now:
            approve = self.rng.random() < 0.8
            decide_basis(
                self.session,
                self.rng.choice(self.supervisors),
                decided,
                case,
                record.id,
                approve=approve,
                note="" if approve else "Begründung trägt nicht; bitte Einwilligung einholen.",
            )

    def _maybe_revoke(self, case: Case, advisor: User, at: datetime) -> None:
        """Now and then a young person withdraws the consent for a partner that was involved."""
        if at > self.now or self.rng.random() > 0.04:
            return
        consents = [
            c
            for c in self.session.scalars(
                sa.select(Consent).where(
                    Consent.person_id == case.young_person.id, Consent.revoked_at.is_(None)
                )
            )
        ]
        if not consents:
            return
        consent = self.rng.choice(consents)
        giver = required_giver(case.young_person.birth_date, local_date(at))
        revoke_consent(
            self.session,
            advisor,
            at,
            case,
            consent.id,
            giver or ConsentGiver.YOUNG_PERSON,
            "Widerruf im Beratungsgespräch erklärt.",
        )

    def play(self, case: Case) -> None:
        """Route one case and let partners work on it, up to now."""
        if self.rng.random() < 0.08:
            return  # still at the front desk
        desk = self.rng.choice(self.frontdesk)
        at = case.created_at + timedelta(minutes=self.rng.randint(2, 40))
        if at > self.now:
            return
        ranked = suggestions_for(self.session, case, at)
        partner = ranked[0][1] if ranked else self.rng.choice(self.partners)
        self._maybe_basis(case, desk, at)
        try:
            self._offer_until_accepted(case, desk, partner, ranked, at)
        except TransitionError:
            return  # the demo skips what the rules refuse, as a person would

    def _offer_until_accepted(self, case, desk, partner, ranked, at) -> None:
        self._ensure_consent(case, partner, at, desk)
        suggestion = ranked[0][0] if ranked else None
        offer = offer_case(
            self.session,
            desk,
            at,
            case,
            partner,
            suggestion=suggestion,
            override_reason=None
            if ranked
            else "Keine Regel passt – Empfang entscheidet nach dem Gespräch.",
        )
        answered = self._later(at, 20, 1800)
        if answered > self.now:
            return  # waits in the partner's queue
        advisor = self.rng.choice(self.advisors[partner.id])
        if self.rng.random() < 0.1 and len(ranked) > 1:
            decline_offer(
                self.session,
                advisor,
                answered,
                case,
                offer.id,
                self.rng.choice([DeclineReason.NOT_RESPONSIBLE, DeclineReason.NO_CAPACITY]),
            )
            nxt = ranked[1][1]
            self._offer_until_accepted(case, desk, nxt, [], answered + timedelta(minutes=15))
            return
        accept_offer(self.session, advisor, answered, case, offer.id)
        self._work(case, advisor, answered)

    def _work(self, case: Case, advisor: User, since: datetime) -> None:
        contact = self._later(since, 60, 2400)
        if contact > self.now or self.rng.random() < 0.15:
            return
        record_first_contact(self.session, advisor, contact, case)
        if self.rng.random() < 0.6:
            add_note(
                self.session,
                advisor,
                contact + timedelta(minutes=5),
                case,
                self.rng.choice(NOTES),
                internal=self.rng.random() < 0.2,
            )
        if self.rng.random() < 0.12:
            self._refer(case, advisor, contact + timedelta(minutes=30))
        self._maybe_revoke(case, advisor, contact + timedelta(minutes=45))
        closed = self._later(contact, 600, 12000)
        if closed <= self.now and self.rng.random() < 0.55:
            close_case(self.session, advisor, closed, case, self.rng.choice(list(Outcome)[:-1]))

    def _refer(self, case: Case, advisor: User, at: datetime) -> None:
        others = [p for p in self.partners if p.id != case.holder_partner_id]
        partner = self.rng.choice(others)
        self._ensure_consent(case, partner, at, advisor)
        referral = refer_case(self.session, advisor, at, case, partner, "Bitte mitberaten.")
        answered = self._later(at, 30, 1200)
        if answered <= self.now:
            helper = self.rng.choice(self.advisors[partner.id])
            answer_referral(
                self.session,
                helper,
                answered,
                case,
                referral.id,
                accept=self.rng.random() < 0.8,
                reason=DeclineReason.NO_CAPACITY,
            )

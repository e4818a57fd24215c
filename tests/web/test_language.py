"""English as second language: chosen per user, complete on every main page, dates per language."""

import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD
from zentrum.domain.vocab import DeclineReason, LegalBasis
from zentrum.labels import LABELS
from zentrum.models import Case, Consent, Partner, RoutingRule, Topic, User
from zentrum.services.consents import request_basis, revoke_consent
from zentrum.services.handover import accept_offer, decline_offer, offer_case
from zentrum.services.notes import add_note
from zentrum.services.referrals import refer_case

# Tuesday 24 November 2026, 14:05 in Wuppertal.
INTAKE = datetime(2026, 11, 24, 13, 5, tzinfo=UTC)
NOW = datetime.now(UTC)

# Common German words of the interface; none of them is an English word.
GERMAN_UI_WORDS = {
    "Ausbildung",
    "Studium",
    "Gesundheit",
    "Wohnen",
    "Schule",
    "Familie",
    "Arbeit",
    "Fall",
    "Fälle",
    "Falls",
    "Anliegen",
    "Speichern",
    "Abmelden",
    "Anmelden",
    "Übergabe",
    "Übergaben",
    "Übergabeangebot",
    "Übergabeblatt",
    "Eingang",
    "Suche",
    "Suchen",
    "Sprache",
    "Aktenzeichen",
    "Einwilligung",
    "Einwilligungen",
    "Hinzuziehung",
    "Hinzuziehungen",
    "Verlauf",
    "Notiz",
    "Notizen",
    "Fallnotiz",
    "Fallnotizen",
    "Bitte",
    "Zielzeit",
    "Auswertung",
    "Partnerorganisation",
    "Empfang",
    "Dringlichkeit",
    "Thema",
    "Themen",
    "wartet",
    "angenommen",
    "abgelehnt",
    "und",
    "oder",
    "nicht",
    "keine",
    "kein",
    "mit",
    "der",
    "die",
    "das",
    "für",
    "von",
    "bis",
    "Übersicht",
    "Stunden",
    "Woche",
    "Wochen",
    "Zeitraum",
    "Beschreibung",
    "Personen",
    "Geburtsdatum",
    "Drucken",
    "Zurück",
    "Neues",
    "neue",
    "Ablehnen",
    "annehmen",
    "Angebot",
    "Angebote",
    "Regel",
    "Regeln",
    "Bearbeiten",
    "Priorität",
    "Begründung",
    "heute",
    "seit",
    "Uhr",
    "Std",
    "ja",
    "nein",
    "alle",
    "Ergebnis",
    "Grund",
    "Erstkontakt",
    "Verantwortlich",
    "intern",
    "Stand",
    "Zugangsweg",
    "Arbeitszeit",
    "Kalenderzeit",
    "Leitung",
    "Berater",
    "Kinderschutz",
    "Stadtbezirk",
    "Stadtbezirke",
    "Alter",
    "Jahre",
    "Meine",
    "Inhalt",
    "zum",
    "zur",
    "ist",
    "wird",
    "wurde",
    "auf",
    "Telefon",
    "Elternteil",
    "junger",
    "Mensch",
    "Angehörige",
    "Vertraulich",
    "Gedruckt",
    "Kontakt",
    "Wohnort",
    "erteilt",
    "Dolmetschung",
    "Filtern",
    "Herunterladen",
    "Anzeigen",
    "Kennzahlen",
    # The pages of accounts, audit log, consents and data protection.
    "Protokoll",
    "Zugriff",
    "Zugriffe",
    "Einträge",
    "Aktion",
    "Benutzer",
    "Benutzerkonto",
    "Konto",
    "Passwort",
    "Zweiter",
    "Faktor",
    "Anmeldung",
    "Rechtsgrundlage",
    "Rechtsgrundlagen",
    "Widerruf",
    "widerrufen",
    "Zweck",
    "Weitergabe",
    "Datenkategorien",
    "gültig",
    "erfasst",
    "Unterschrift",
    "Sorgeberechtigten",
    "Auskunft",
    "Verarbeitungsverzeichnis",
    "Verantwortlicher",
    "Löschfristen",
    "Maßnahmen",
    "Empfänger",
}
WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+")


class _VisibleText(HTMLParser):
    """The text a reader meets: text nodes, title and ARIA attributes, outside script/style.

    Fragments marked with another ``lang`` than the page's (a language's own name in
    the language chooser) are left out: they are foreign on purpose, and say so.
    """

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        foreign = "lang" in attrs and tag != "html" and attrs["lang"] != "en"
        if tag not in {"br", "input", "meta", "link", "img", "hr"}:
            self.stack.append((tag, foreign or tag in {"script", "style"}))
        if not self._skipping():
            self.parts += [attrs[a] for a in ("title", "aria-label", "placeholder") if attrs.get(a)]

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)


def german_words(html: str, data: list[str]) -> set[str]:
    """German interface words left in a page once the given data strings are taken out."""
    parser = _VisibleText()
    parser.feed(html)
    text = " ".join(parser.parts)
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return {word for word in WORD.findall(text) if word in GERMAN_UI_WORDS}


@pytest.fixture
def world(session, cases, users):
    """One user per role and a case with handovers, a referral, notes and a decline."""
    people = {
        "frontdesk": cases.frontdesk(),
        "ihk": users("advisor", partner="ihk"),
        "hwk": users("advisor", partner="hwk"),
        "supervisor": users("supervisor"),
        "admin": users("admin"),
    }
    case = cases(
        "Mira",
        "Example",
        consents=["ihk", "hwk", "jobcenter"],
        members=[("Petra", "Example", "parent")],
        at=INTAKE,
        description="Looking for an apprenticeship.",
    )

    def fresh():
        return session.get(Case, case.id)

    offer = cases.offer(case, "ihk", at=INTAKE)
    accept_offer(session, people["ihk"], NOW, fresh(), offer.id)
    add_note(session, people["ihk"], NOW, fresh(), "Shared note text.")
    add_note(session, people["ihk"], NOW, fresh(), "Internal note text.", internal=True)
    refer_case(session, people["ihk"], NOW, fresh(), cases.partner("hwk"))
    session.commit()
    other = cases("Otto", "Sample", consents=["ihk", "hwk"], description="Needs advice.")
    declined = cases.offer(other, "hwk")
    decline_offer(
        session,
        people["hwk"],
        NOW,
        session.get(Case, other.id),
        declined.id,
        DeclineReason.NO_CAPACITY,
    )
    offer_case(session, cases.frontdesk(), NOW, session.get(Case, other.id), cases.partner("hwk"))
    session.commit()
    # The consent section in every state: valid, revoked, and a legal basis awaiting approval.
    jobcenter = session.scalar(
        sa.select(Consent).where(Consent.partner_id == cases.partner_id("jobcenter"))
    )
    revoke_consent(
        session, people["frontdesk"], NOW, fresh(), jobcenter.id, "young_person", "By phone."
    )
    request_basis(
        session,
        people["frontdesk"],
        NOW,
        fresh(),
        cases.partner("uni"),
        LegalBasis.SGB_X_69_1_1,
        "Enrolment advice needs the school certificates on file.",
    )
    session.commit()
    for user in people.values():
        session.get(User, user.id).locale = "en"
    session.commit()
    valid = session.scalar(sa.select(Consent).where(Consent.partner_id == cases.partner_id("ihk")))
    return {
        "people": people,
        "case": case,
        "offer": offer,
        "other": other,
        "consent": valid,
        "person": valid.person_id,
    }


def _data(session) -> list[str]:
    """Names and texts that are data, not interface: partners, people, districts, and the
    rule reasons as stored (the admins' list shows them so; where the front desk reads a
    suggestion, the test below asks for the translation).

    The stock topics are not among them: they must come out translated.
    """
    data = list(session.scalars(sa.select(Partner.name)))
    data += list(session.scalars(sa.select(RoutingRule.reason)))
    data += list(session.scalars(sa.select(User.display_name)))
    data += [str(name) for name in LABELS["district"].values()]
    return data + ["Mira Example", "Petra Example", "Otto Sample"]


def _pages(world) -> dict[str, list[str]]:
    case, other = world["case"], world["other"]
    case_pages = [
        f"/faelle/{case.id}",
        f"/faelle/{case.id}/druck",
        f"/faelle/{case.id}/uebergabe/{world['offer'].id}/druck",
        "/faelle/suche?q=Example",
        "/sprache",
        "/",
    ]
    account = ["/konto/", "/konto/passwort"]
    # Supervisors and admins have a second factor already; the set-up page is for the others.
    enrol = "/konto/zweiter-faktor"
    consent_pages = [
        f"/faelle/{case.id}/einwilligungen/{world['consent'].id}/widerrufen",
        f"/faelle/{case.id}/einwilligung/druck",
        f"/faelle/{case.id}/einwilligung/{world['consent'].partner_id}/druck",
    ]
    audit = ["/protokoll/", f"/protokoll/fall/{case.id}", f"/protokoll/person/{world['person']}"]
    admin = world["people"]["admin"]
    return {
        "frontdesk": [
            *case_pages,
            *consent_pages,
            *account,
            enrol,
            "/anliegen/neu",
            f"/faelle/{other.id}",
            "/faelle/999999",
        ],
        "ihk": [*case_pages, *consent_pages, *account, enrol, "/eingang", "/meine-faelle"],
        "hwk": ["/eingang", f"/faelle/{other.id}", f"/faelle/{case.id}", "/konto/"],
        "supervisor": [
            *case_pages,
            *audit,
            *account,
            "/leitung/",
            "/leitung/uebergaben",
            "/leitung/uebergaben?status=declined",
            "/verarbeitungsverzeichnis",
        ],
        "admin": [
            "/admin/regeln",
            "/admin/regeln/neu",
            "/admin/partner",
            "/leitung/",
            *audit,
            *account,
            "/admin/benutzer",
            "/admin/benutzer/neu",
            f"/admin/benutzer/{admin.id}",
            f"/admin/benutzer/{world['people']['ihk'].id}",
            "/admin/auskunft",
            "/admin/auskunft?name=Example",
            f"/admin/auskunft/{world['person']}",
            "/verarbeitungsverzeichnis",
        ],
    }


@pytest.mark.parametrize("role", ["frontdesk", "ihk", "hwk", "supervisor", "admin"])
def test_english_pages_hold_no_german_interface_words(world, session, client, auth, role):
    auth.login(world["people"][role])
    data = _data(session)
    for url in _pages(world)[role]:
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code in (200, 404), url
        assert '<html lang="en">' in page, url
        assert german_words(page, data) == set(), url


def test_the_word_check_finds_german_that_is_left(world, session, client, auth):
    """The check above can fail: a German user's page is full of German words."""
    frontdesk = world["people"]["frontdesk"]
    session.get(User, frontdesk.id).locale = "de"
    session.commit()
    auth.login(frontdesk)
    page = client.get(f"/faelle/{world['case'].id}").get_data(as_text=True)
    assert '<html lang="de">' in page
    left = german_words(page, _data(session))
    assert {"Anliegen", "Verlauf", "Abmelden", "Drucken"} <= left
    assert {"Rechtsgrundlagen", "Zweck", "Datenkategorien", "Widerruf"} <= left  # consents


def test_german_stays_the_default_for_new_users(session, users):
    assert users("frontdesk").locale == "de"


def test_login_page_follows_the_browser(client):
    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9,de;q=0.5"})
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert "Log in" in english.get_data(as_text=True)
    german = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.8"})
    assert '<html lang="de">' in german.get_data(as_text=True)
    neither = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="de">' in neither.get_data(as_text=True)
    assert "Anmelden" in client.get("/login").get_data(as_text=True)


def test_the_users_choice_beats_the_browser(session, users, client, auth):
    user = users("frontdesk")
    auth.login(user)
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="de">' in page and "Abmelden" in page


def test_choosing_english_is_saved_and_used(session, users, client, auth):
    user = users("advisor", partner="ihk")
    auth.login(user)
    assert 'href="/sprache"' in client.get("/eingang").get_data(as_text=True)
    response = client.post("/sprache", data={"locale": "en"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(User, user.id).locale == "en"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "The language has been saved." in page
    assert "Log out" in client.get("/eingang").get_data(as_text=True)


def test_an_unknown_language_is_refused(session, users, client, auth):
    user = users("frontdesk")
    auth.login(user)
    response = client.post("/sprache", data={"locale": "xx"})
    assert response.status_code == 422
    session.expire_all()
    assert session.get(User, user.id).locale == "de"


def test_the_language_form_needs_the_csrf_token(app_factory, users):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    user = users("frontdesk", username="sprachprobe")
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    client.post(
        "/login", data={"username": "sprachprobe", "password": PASSWORD, "csrf_token": token}
    )
    assert client.post("/sprache", data={"locale": "en"}).status_code == 400
    with app.app_context():
        from zentrum.extensions import db

        assert db.session.get(User, user.id).locale == "de"


def test_the_language_page_needs_a_login(client):
    response = client.get("/sprache")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_dates_in_wuppertal_time_per_language(world, session, client, auth):
    """The same moment: 24.11.2026, 14:05 in German, 24 Nov 2026, 14:05 in English."""
    frontdesk = world["people"]["frontdesk"]
    auth.login(frontdesk)
    url = f"/faelle/{world['case'].id}"
    assert "24 Nov 2026, 14:05" in client.get(url).get_data(as_text=True)
    session.get(User, frontdesk.id).locale = "de"
    session.commit()
    assert "24.11.2026, 14:05" in client.get(url).get_data(as_text=True)


def test_partner_mail_stays_german_when_an_english_user_offers(app, session, cases, users):
    """The mail goes to a partner's shared mailbox, not to the English-speaking sender."""
    from email.message import EmailMessage

    from zentrum import notifications

    sent: list[EmailMessage] = []
    app.config["MAIL_SERVER"] = "mail.invalid"
    case = cases("Mira", "Example", consents=["ihk"])
    with app.test_request_context(headers={"Accept-Language": "en"}):
        from flask_babel import get_locale

        assert get_locale().language == "en"
        original = notifications._send
        notifications._send = lambda message, _config: sent.append(message)
        try:
            assert notifications.notify_partner(
                cases.partner("ihk"), session.get(Case, case.id), "offer"
            )
        finally:
            notifications._send = original
    assert sent[0]["Subject"].startswith("Neues Übergabeangebot")


def test_stock_topics_are_translated_and_admin_topics_stay_as_typed(world, session, client, auth):
    session.add(Topic(code="sport", label="Sportverein", sort_order=99))
    session.commit()
    auth.login(world["people"]["frontdesk"])
    page = client.get("/anliegen/neu").get_data(as_text=True)
    assert "Apprenticeship" in page and "Ausbildung" not in page
    assert "Sportverein" in page


def test_a_suggestion_shows_the_stock_reason_translated(session, cases, users, client, auth):
    frontdesk = users("frontdesk")
    frontdesk.locale = "en"
    session.commit()
    case = cases("Mira", "Example", birth_date=date(2009, 3, 1), consents=["ihk"])
    auth.login(frontdesk)
    page = client.get(f"/faelle/{case.id}").get_data(as_text=True)
    assert "Topic apprenticeship, 16–24 years → IHK" in page
    assert "Thema Ausbildung" not in page


def test_the_stock_consent_purpose_follows_the_reader(session, users, client, auth):
    """The intake offers the stock purpose in the user's language, stores it German, and
    every reader sees it in their own language; a purpose the front desk typed stays as typed."""
    from tests.web.test_intake import _form
    from zentrum.models import Consent
    from zentrum.services.intake import INTAKE_PURPOSE

    english = "Advice and placement regarding the enquiry at the Zentrum Zukunft Wuppertal"
    frontdesk = users("frontdesk")
    frontdesk.locale = "en"
    session.commit()
    auth.login(frontdesk)
    assert f'value="{english}"' in client.get("/anliegen/neu").get_data(as_text=True)
    response = client.post("/anliegen/neu", data=_form(session, consent_purpose=english))
    assert response.status_code == 302
    consent = session.scalar(sa.select(Consent))
    assert consent.purpose == INTAKE_PURPOSE
    page = client.get(f"/faelle/{consent.case_id}").get_data(as_text=True)
    assert english in page and INTAKE_PURPOSE not in page
    session.get(User, frontdesk.id).locale = "de"
    session.commit()
    page = client.get(f"/faelle/{consent.case_id}").get_data(as_text=True)
    assert INTAKE_PURPOSE in page and english not in page

    typed = "Advice on applying for an apprenticeship"
    data = _form(session, consent_purpose=typed, first_name="Jonas", birth_date="2006-01-02")
    assert client.post("/anliegen/neu", data=data).status_code == 302
    stored = session.scalars(sa.select(Consent.purpose).order_by(Consent.id)).all()
    assert stored[-1] == typed


def test_refusals_of_the_account_services_come_in_english(session, users, client, auth):
    """Password rules and account refusals are written in the services; they still translate."""
    admin = users("admin")
    admin.locale = "en"
    users("frontdesk", username="a.schmidt")
    session.commit()
    auth.login(admin)
    new = {"display_name": "Anna", "email": "", "role": "frontdesk", "partner": ""}
    typed = {**new, "username": "b.braun", "password_mode": "typed", "password": "b.braun"}
    page = client.post("/admin/benutzer/neu", data=typed).get_data(as_text=True)
    assert "The password needs at least 10 characters." in page
    assert "The password must not be the username." in page
    taken = {**new, "username": "a.schmidt", "password_mode": "generate", "password": ""}
    page = client.post("/admin/benutzer/neu", data=taken).get_data(as_text=True)
    assert "The username a.schmidt already exists." in page
    response = client.post(f"/admin/benutzer/{admin.id}/deaktivieren")
    assert response.status_code == 409
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    change = {"current": PASSWORD, "new": "kurz", "repeat": "kurz"}
    page = client.post("/konto/passwort", data=change).get_data(as_text=True)
    assert "The password needs at least 10 characters." in page and "Zeichen" not in page

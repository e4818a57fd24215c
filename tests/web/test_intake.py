"""The intake form end to end: good input is stored, bad input is explained and stores nothing."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from zentrum.models import Case, CaseEvent, CaseMember, Consent, Partner, Person, Topic


@pytest.fixture
def frontdesk(client, users, auth):
    user = users("frontdesk")
    auth.login(user)
    return user


def _ids(session, model, *codes):
    return [str(i) for i in session.scalars(sa.select(model.id).where(model.code.in_(codes)))]


def _form(session, **overrides):
    data = {
        "first_name": "Lena",
        "last_name": "Schmitz",
        "birth_date": "2007-05-17",
        "phone": "0202 123456",
        "email": "lena@example.de",
        "district": "barmen",
        "postcode": "42275",
        "language": "de",
        "topics": _ids(session, Topic, "apprenticeship"),
        "description": "Sucht einen Ausbildungsplatz als Tischlerin.",
        "channel": "walk_in",
        "urgency": "normal",
        "consents": _ids(session, Partner, "ihk"),
        "consent_given_by": "young_person",
        "consent_categories": ["master_data", "contact"],
        "consent_purpose": "Beratung und Vermittlung zum Anliegen im Zentrum Zukunft Wuppertal",
        "save": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _stored(session) -> dict[str, int]:
    session.rollback()
    return {
        m.__tablename__: session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (Case, Person, CaseMember, CaseEvent, Consent)
    }


NOTHING = {"cases": 0, "persons": 0, "case_members": 0, "case_events": 0, "consents": 0}


def test_enquiry_with_family_member_is_stored_and_shown(session, client, frontdesk):
    data = _form(
        session,
        **{
            "members-0-first_name": "Eva",
            "members-0-last_name": "Schmitz",
            "members-0-birth_date": "1980-02-01",
            "members-0-relation": "parent",
            "interpreter_needed": "y",
        },
    )
    response = client.post("/anliegen/neu", data=data)
    assert response.status_code == 302
    case = session.scalar(sa.select(Case))
    assert response.location == f"/faelle/{case.id}#weiterleiten"
    assert _stored(session) == {
        "cases": 1,
        "persons": 2,
        "case_members": 2,
        "case_events": 1,
        "consents": 1,
    }
    page = client.get(response.location).get_data(as_text=True)
    for text in (
        case.reference,
        "Lena Schmitz",
        "Eva Schmitz",
        "Elternteil",
        "Ausbildung",
        "IHK Wuppertal-Solingen-Remscheid",
        "Barmen",
        "Dolmetschung nötig",
        "Anliegen aufgenommen",
        "Tischlerin",
        "17.05.2007",
    ):
        assert text in page, text


def test_adding_a_family_member_without_script_keeps_what_was_typed(session, client, frontdesk):
    data = _form(
        session,
        add_member="1",
        save=None,
        **{"members-0-first_name": "Eva", "members-0-last_name": "Schmitz"},
    )
    response = client.post("/anliegen/neu", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="members-1-first_name"' in page
    assert 'value="Eva"' in page and 'value="Lena"' in page
    assert _stored(session) == NOTHING


def test_empty_family_rows_are_ignored(session, client, frontdesk):
    data = _form(
        session,
        **{"members-0-first_name": "", "members-0-last_name": "", "members-0-relation": "parent"},
    )
    assert client.post("/anliegen/neu", data=data).status_code == 302
    assert _stored(session)["persons"] == 1


def test_half_filled_family_row_asks_for_the_missing_name(session, client, frontdesk):
    data = _form(session, **{"members-0-first_name": "Eva", "members-0-relation": "parent"})
    response = client.post("/anliegen/neu", data=data)
    assert response.status_code == 422
    assert "Bitte den Nachnamen angeben." in response.get_data(as_text=True)
    assert _stored(session) == NOTHING


def test_known_person_is_offered_and_the_enquiry_attached(session, client, frontdesk):
    assert client.post("/anliegen/neu", data=_form(session)).status_code == 302
    person = session.scalar(sa.select(Person))
    again = _form(session, first_name=" LENA ", last_name="schmitz", description="Zweites Anliegen")
    offered = client.post("/anliegen/neu", data=again)
    page = offered.get_data(as_text=True)
    assert offered.status_code == 200
    assert "vielleicht schon bekannt" in page
    assert f'value="{person.id}"' in page
    assert _stored(session)["cases"] == 1
    attached = client.post("/anliegen/neu", data={**again, "person_choice": str(person.id)})
    assert attached.status_code == 302
    assert _stored(session)["persons"] == 1
    assert _stored(session)["cases"] == 2


def test_front_desk_may_create_a_new_person_despite_a_match(session, client, frontdesk):
    client.post("/anliegen/neu", data=_form(session))
    response = client.post("/anliegen/neu", data=_form(session, person_choice="new"))
    assert response.status_code == 302
    assert _stored(session)["persons"] == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "Bitte den Vornamen angeben."),
        ({"last_name": "   "}, "last_name", "Bitte den Nachnamen angeben."),
        ({"birth_date": ""}, "birth_date", "Bitte das Geburtsdatum angeben."),
        ({"birth_date": "kein-datum"}, "birth_date", "Kein gültiges Datum."),
        (
            {"birth_date": (date.today() + timedelta(days=2)).isoformat()},
            "birth_date",
            "Das Geburtsdatum liegt in der Zukunft.",
        ),
        ({"birth_date": "1900-01-01"}, "birth_date", "mehr als 100 Jahre zurück"),
        ({"topics": []}, "topics", "Bitte mindestens ein Thema wählen."),
        ({"topics": ["987654"]}, "topics", "Diese Auswahl gibt es nicht."),
        ({"topics": ["abc"]}, "topics", "Diese Auswahl gibt es nicht."),
        ({"consents": ["987654"]}, "consents", "Diese Auswahl gibt es nicht."),
        ({"email": "lena@"}, "email", "Bitte eine gültige E-Mail-Adresse angeben"),
        ({"email": "lena at example.de"}, "email", "Bitte eine gültige E-Mail-Adresse angeben"),
        ({"postcode": "4227"}, "postcode", "fünfstellige Postleitzahl"),
        ({"phone": "call me"}, "phone", "Bitte nur Ziffern"),
        ({"first_name": "Le\x00na"}, "first_name", "unzulässige Steuerzeichen"),
        ({"last_name": "Sch\x1b[31mmitz"}, "last_name", "unzulässige Steuerzeichen"),
        ({"description": "Hallo\x07 Welt"}, "description", "unzulässige Steuerzeichen"),
        ({"first_name": "x" * 101}, "first_name", "Höchstens 100 Zeichen."),
        ({"district": "mond"}, "district", "Keine gültige Auswahl"),
        ({"urgency": "sofort"}, "urgency", "Keine gültige Auswahl"),
        (
            {
                "members-0-first_name": "Eva",
                "members-0-last_name": "S",
                "members-0-birth_date": "2999-01-01",
                "members-0-relation": "parent",
            },
            "members-0-birth_date",
            "Das Geburtsdatum liegt in der Zukunft.",
        ),
    ],
)
def test_bad_input_is_explained_beside_the_field_and_nothing_is_stored(
    session, client, frontdesk, overrides, field, message
):
    response = client.post("/anliegen/neu", data=_form(session, **overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    error = page.split(f'id="{field}-error">', 1)
    assert len(error) == 2, f"no error beside {field}"
    assert message in error[1].split("</p>", 1)[0]
    assert (
        f'aria-describedby="{field}-error"' in page
        or f'aria-describedby="{field}-hint {field}-error"' in page
    )
    assert _stored(session) == NOTHING


def test_ten_megabyte_description_is_refused_with_a_message(session, client, frontdesk):
    response = client.post("/anliegen/neu", data=_form(session, description="a" * 10_000_000))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Die Beschreibung ist zu lang (höchstens 5000 Zeichen)." in page
    assert "a" * 6000 not in page  # the page does not echo 10 MB back
    assert _stored(session) == NOTHING


def test_bodies_beyond_the_limit_get_413(session, client, frontdesk):
    response = client.post("/anliegen/neu", data=_form(session, description="a" * 17_000_000))
    assert response.status_code == 413
    assert "zu groß" in response.get_data(as_text=True)
    assert _stored(session) == NOTHING


@pytest.mark.parametrize("value", ["'; DROP TABLE cases; --", "-1", "12abc", "../../etc"])
def test_tampered_person_choice_is_refused_with_400(session, client, frontdesk, value):
    response = client.post("/anliegen/neu", data=_form(session, person_choice=value))
    assert response.status_code == 400
    assert _stored(session) == NOTHING


def test_person_choice_naming_someone_else_is_refused(session, client, frontdesk, cases):
    stranger = cases("Anna", "Berg", date(2004, 4, 4))
    before = _stored(session)
    response = client.post(
        "/anliegen/neu", data=_form(session, person_choice=str(stranger.young_person.id))
    )
    assert response.status_code == 422
    assert "Diese Auswahl gibt es nicht (mehr)." in response.get_data(as_text=True)
    assert _stored(session) == before


def test_inactive_topic_cannot_be_chosen(session, client, frontdesk):
    topic = session.scalar(sa.select(Topic).where(Topic.code == "culture"))
    topic.active = False
    session.commit()
    response = client.post("/anliegen/neu", data=_form(session, topics=[str(topic.id)]))
    assert response.status_code == 422
    assert _stored(session) == NOTHING


def test_too_many_family_members_are_refused(session, client, frontdesk):
    members = {}
    for i in range(13):
        members |= {
            f"members-{i}-first_name": f"K{i}",
            f"members-{i}-last_name": "S",
            f"members-{i}-relation": "sibling",
        }
    response = client.post("/anliegen/neu", data=_form(session, **members))
    assert response.status_code == 422
    assert "Höchstens 12 Angehörige" in response.get_data(as_text=True)
    assert _stored(session) == NOTHING


# --- who gives the consent at intake ---------------------------------------------------------


def _fourteen(today: date) -> str:
    return date(today.year - 14, 1, 1).isoformat()


def test_intake_consent_records_categories_purpose_and_giver(session, client, frontdesk):
    data = _form(session, consent_categories=["master_data", "school"])
    assert client.post("/anliegen/neu", data=data).status_code == 302
    consent = session.scalar(sa.select(Consent))
    assert consent.categories == ["master_data", "school"]
    assert consent.given_by == "young_person" and consent.guardian_names is None
    assert consent.purpose.startswith("Beratung und Vermittlung")


def test_below_15_the_young_person_cannot_consent_at_intake(session, client, frontdesk):
    data = _form(session, birth_date=_fourteen(date.today()))
    response = client.post("/anliegen/neu", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="consent_given_by-error"' in page
    assert "Es willigen die Sorgeberechtigten ein" in page
    assert _stored(session) == NOTHING


def test_guardians_default_to_the_parents_listed(session, client, frontdesk):
    data = _form(
        session,
        birth_date=_fourteen(date.today()),
        consent_given_by="guardians",
        **{
            "members-0-first_name": "Eva",
            "members-0-last_name": "Schmitz",
            "members-0-relation": "parent",
        },
    )
    assert client.post("/anliegen/neu", data=data).status_code == 302
    consent = session.scalar(sa.select(Consent))
    assert (consent.given_by, consent.guardian_names) == ("guardians", "Eva Schmitz")


def test_guardians_without_names_or_parents_are_asked_for(session, client, frontdesk):
    data = _form(session, birth_date=_fourteen(date.today()), consent_given_by="guardians")
    response = client.post("/anliegen/neu", data=data)
    assert response.status_code == 422
    assert 'id="consent_guardian_names-error"' in response.get_data(as_text=True)
    assert _stored(session) == NOTHING


def test_no_consent_no_giver_question(session, client, frontdesk):
    data = _form(session, birth_date=_fourteen(date.today()), consents=[], consent_categories=[])
    assert client.post("/anliegen/neu", data=data).status_code == 302
    assert _stored(session)["consents"] == 0

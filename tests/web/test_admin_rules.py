"""The rules editor: list, create, edit, switch off and on, the probe, bad input and roles."""

import re

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, AuthActions
from zentrum.models import Partner, RoutingRule, Topic
from zentrum.services.routing import rule_of

REASON = "Thema Ausbildung in Ronsdorf → Handwerkskammer"


@pytest.fixture
def admin(users, auth):
    user = users("admin")
    auth.login(user)
    return user


def _partner_id(session, code: str) -> int:
    return session.scalar(sa.select(Partner.id).where(Partner.code == code))


def _topic_id(session, code: str) -> int:
    return session.scalar(sa.select(Topic.id).where(Topic.code == code))


def _rule(session, reason: str) -> RoutingRule:
    return session.scalar(sa.select(RoutingRule).where(RoutingRule.reason == reason))


def _form(session, **overrides) -> dict:
    data = {
        "partner_id": str(_partner_id(session, "hwk")),
        "reason": REASON,
        "priority": "60",
        "topics": [str(_topic_id(session, "apprenticeship")), str(_topic_id(session, "work"))],
        "min_age": "16",
        "max_age": "24",
        "urgencies": ["normal", "urgent"],
        "districts": ["ronsdorf", "barmen"],
        "enabled": "y",
        "save": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _snapshot(session) -> list[tuple]:
    """Every stored rule with its topics, to show that nothing changed."""
    session.rollback()
    session.expire_all()
    rules = session.scalars(sa.select(RoutingRule).order_by(RoutingRule.id))
    return [
        (r.id, r.partner_id, r.reason, r.priority, r.enabled, r.min_age, r.max_age)
        + (r.urgencies, r.districts, tuple(sorted(t.id for t in r.topics)), r.updated_at)
        for r in rules
    ]


def _attrs(tag: str) -> dict[str, str]:
    return {name: value for name, value in re.findall(r'([\w-]+)(?:="([^"]*)")?', tag[6:])}


def _input(page: str, field_id: str) -> dict[str, str]:
    """The attributes of the input with this id."""
    return _attrs(re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', page)[0])


def _inputs(page: str, name: str) -> list[dict[str, str]]:
    """The attributes of every input with this name (checkboxes)."""
    return [_attrs(tag) for tag in re.findall(rf'<input[^>]*\bname="{name}"[^>]*>', page)]


def _listed_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="regel-(\d+)"', page)]


def _row(page: str, rule_id: int) -> str:
    return re.search(rf'<tr id="regel-{rule_id}">.*?</tr>', page, re.S)[0]


def test_list_shows_rules_in_the_engines_order_with_conditions_in_words(session, client, admin):
    page = client.get("/admin/regeln").get_data(as_text=True)
    ranked = sorted(
        (rule_of(r) for r in session.scalars(sa.select(RoutingRule))),
        key=lambda r: (-r.priority, -r.specificity, r.id),
    )
    assert _listed_ids(page) == [r.id for r in ranked]
    priorities = [r.priority for r in ranked]
    assert priorities == sorted(priorities, reverse=True)
    # At equal priority (40) the rule with topic and age band comes before topic alone.
    at_40 = [r.reason for r in ranked if r.priority == 40]
    assert at_40.index("Thema Ausbildung, 16–24 Jahre → IHK") < at_40.index(
        "Thema Studium → Bergische Universität"
    )
    ihk = _row(page, _rule(session, "Thema Ausbildung, 16–24 Jahre → IHK").id)
    for text in ("IHK Wuppertal-Solingen-Remscheid", "Ausbildung", "16–24 Jahre", "40"):
        assert text in ihk, text
    assert "jede Dringlichkeit" in ihk and "jeder Stadtbezirk" in ihk
    assert ">aktiv<" in ihk and "Deaktivieren" in ihk
    crisis = _row(page, _rule(session, "Krise bei Minderjährigen → Jugendamt (Kinderschutz)").id)
    assert "jedes Thema" in crisis and "bis 17 Jahre" in crisis and "Krise" in crisis
    jobcenter = _row(page, _rule(session, "Thema Arbeit und Beruf, ab 15 Jahre → Jobcenter").id)
    assert "ab 15 Jahre" in jobcenter


def test_conditions_with_several_values_read_as_any_of(session, client, admin):
    client.post("/admin/regeln/neu", data=_form(session))
    page = client.get("/admin/regeln").get_data(as_text=True)
    row = _row(page, _rule(session, REASON).id)
    assert "Ausbildung oder Arbeit und Beruf" in row
    assert "normal oder dringend" in row
    assert "Barmen oder Ronsdorf" in row


def test_new_rule_is_stored_and_listed(session, client, admin):
    assert client.get("/admin/regeln/neu").status_code == 200
    response = client.post("/admin/regeln/neu", data=_form(session))
    assert response.status_code == 302
    rule = _rule(session, REASON)
    assert response.location == f"/admin/regeln#regel-{rule.id}"
    assert rule.partner.code == "hwk"
    assert (rule.priority, rule.min_age, rule.max_age, rule.enabled) == (60, 16, 24, True)
    assert sorted(t.code for t in rule.topics) == ["apprenticeship", "work"]
    assert (rule.urgencies, rule.districts) == ("normal,urgent", "barmen,ronsdorf")
    page = client.get("/admin/regeln").get_data(as_text=True)
    assert "wurde gespeichert" in page
    # Only the seeded crisis rule (priority 100) outranks the new one (60).
    crisis = _rule(session, "Krise bei Minderjährigen → Jugendamt (Kinderschutz)")
    assert _listed_ids(page)[:2] == [crisis.id, rule.id]


def test_rule_without_conditions_and_switched_off_can_be_created(session, client, admin):
    data = _form(
        session, topics=None, min_age="", max_age="", urgencies=None, districts=None, enabled=None
    )
    assert client.post("/admin/regeln/neu", data=data).status_code == 302
    rule = _rule(session, REASON)
    assert (rule.topics, rule.min_age, rule.max_age, rule.urgencies, rule.districts) == (
        [],
        None,
        None,
        "",
        "",
    )
    assert rule.enabled is False


def test_edit_page_shows_the_stored_values(session, client, admin):
    rule = _rule(session, "Thema Ausbildung, 16–24 Jahre → IHK")
    page = client.get(f"/admin/regeln/{rule.id}").get_data(as_text=True)
    assert _input(page, "reason")["value"] == "Thema Ausbildung, 16–24 Jahre → IHK"
    assert re.search(rf'<option selected value="{rule.partner_id}">', page)
    assert _input(page, "priority")["value"] == "40"
    assert (_input(page, "min_age")["value"], _input(page, "max_age")["value"]) == ("16", "24")
    assert "checked" in _input(page, "enabled")
    checked = {tag["value"] for tag in _inputs(page, "topics") if "checked" in tag}
    assert checked == {str(rule.topics[0].id)}
    assert not any(
        "checked" in tag for tag in _inputs(page, "urgencies") + _inputs(page, "districts")
    )


def test_edit_changes_the_rule(session, client, admin):
    rule = _rule(session, "Thema Ausbildung, 16–24 Jahre → IHK")
    created = rule.created_at
    data = _form(
        session,
        partner_id=str(_partner_id(session, "ihk")),
        reason="Thema Ausbildung, 15–25 Jahre → IHK",
        priority="-3",
        min_age="15",
        max_age="25",
        urgencies=None,
        districts=["outside"],
    )
    response = client.post(f"/admin/regeln/{rule.id}", data=data)
    assert response.status_code == 302
    session.expire_all()
    rule = session.get(RoutingRule, rule.id)
    assert (rule.reason, rule.priority, rule.min_age, rule.max_age) == (
        "Thema Ausbildung, 15–25 Jahre → IHK",
        -3,
        15,
        25,
    )
    assert (rule.urgencies, rule.districts) == ("", "outside")
    assert sorted(t.code for t in rule.topics) == ["apprenticeship", "work"]
    assert rule.created_at == created and rule.updated_at > created


def test_unknown_rule_is_404(client, admin):
    assert client.get("/admin/regeln/999999").status_code == 404
    assert client.post("/admin/regeln/999999", data={}).status_code == 404
    assert client.post("/admin/regeln/999999/deaktivieren").status_code == 404


BAD_INPUT = [
    ("partner_id", {"partner_id": ""}, "Bitte einen Partner wählen."),
    ("partner_id", {"partner_id": None}, "Bitte einen Partner wählen."),
    ("partner_id", {"partner_id": "999999"}, "Diese Auswahl gibt es nicht"),
    ("partner_id", {"partner_id": "hwk"}, "Diese Auswahl gibt es nicht"),
    ("reason", {"reason": "   "}, "Bitte eine Begründung angeben."),
    ("reason", {"reason": "x" * 301}, "Höchstens 300 Zeichen."),
    ("reason", {"reason": "Thema\x1b Ausbildung"}, "unzulässige Steuerzeichen"),
    ("reason", {"reason": "Zwei\nZeilen"}, "unzulässige Steuerzeichen"),
    ("priority", {"priority": ""}, "Bitte eine Priorität angeben."),
    ("priority", {"priority": "hoch"}, "Bitte eine ganze Zahl angeben."),
    ("priority", {"priority": "1_000"}, "Bitte eine ganze Zahl angeben."),
    ("priority", {"priority": "4.5"}, "Bitte eine ganze Zahl angeben."),
    ("priority", {"priority": "1001"}, "Bitte eine Priorität von -1000 bis 1000 angeben."),
    ("priority", {"priority": "-1001"}, "Bitte eine Priorität von -1000 bis 1000 angeben."),
    ("priority", {"priority": "9" * 400}, "Bitte eine ganze Zahl angeben."),
    ("min_age", {"min_age": "-1"}, "Bitte ein Alter von 0 bis 120 angeben."),
    ("max_age", {"max_age": "121"}, "Bitte ein Alter von 0 bis 120 angeben."),
    ("max_age", {"max_age": "zwanzig"}, "Bitte eine ganze Zahl angeben."),
    (
        "min_age",
        {"min_age": "25", "max_age": "18"},
        "Das Mindestalter darf nicht über dem Höchstalter liegen.",
    ),
    ("topics", {"topics": ["999999"]}, "Diese Auswahl gibt es nicht"),
    ("topics", {"topics": ["Ausbildung"]}, "Diese Auswahl gibt es nicht"),
    ("urgencies", {"urgencies": ["sofort"]}, "Diese Auswahl gibt es nicht"),
    ("districts", {"districts": ["solingen"]}, "Diese Auswahl gibt es nicht"),
]


@pytest.mark.parametrize(("field", "overrides", "message"), BAD_INPUT)
def test_bad_new_rule_is_explained_beside_the_field_and_nothing_is_stored(
    session, client, admin, field, overrides, message
):
    before = _snapshot(session)
    response = client.post("/admin/regeln/neu", data=_form(session, **overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page
    error = re.search(rf'<p class="field__error" id="{field}-error">(.*?)</p>', page, re.S)[1]
    assert message in error
    assert "Bitte prüfen Sie Ihre Eingaben" in page
    assert _snapshot(session) == before


@pytest.mark.parametrize(("field", "overrides", "message"), BAD_INPUT[::3])
def test_bad_edit_is_explained_and_leaves_the_rule_unchanged(
    session, client, admin, field, overrides, message
):
    rule = _rule(session, "Thema Studium → Bergische Universität")
    before = _snapshot(session)
    response = client.post(f"/admin/regeln/{rule.id}", data=_form(session, **overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _snapshot(session) == before


def test_very_long_reason_comes_back_shortened_to_the_limit(session, client, admin):
    response = client.post("/admin/regeln/neu", data=_form(session, reason="x" * 20_000))
    assert response.status_code == 422
    assert _input(response.get_data(as_text=True), "reason")["value"] == "x" * 300


def test_inactive_partner_cannot_be_chosen_for_a_new_rule(session, client, admin):
    session.get(Partner, _partner_id(session, "hwk")).active = False
    session.commit()
    page = client.get("/admin/regeln/neu").get_data(as_text=True)
    assert "Handwerkskammer" not in page
    before = _snapshot(session)
    response = client.post("/admin/regeln/neu", data=_form(session))
    assert response.status_code == 422
    assert "Diese Auswahl gibt es nicht" in response.get_data(as_text=True)
    assert _snapshot(session) == before


def test_rule_of_an_inactive_partner_keeps_it_when_edited(session, client, admin):
    rule = _rule(session, "Thema Ausbildung, 16–24 Jahre → Handwerkskammer")
    session.get(Partner, rule.partner_id).active = False
    session.commit()
    listed = _row(client.get("/admin/regeln").get_data(as_text=True), rule.id)
    assert "wirkt nicht: Partner inaktiv" in listed
    page = client.get(f"/admin/regeln/{rule.id}").get_data(as_text=True)
    assert "Handwerkskammer Düsseldorf (inaktiv)" in page
    data = _form(session, partner_id=str(rule.partner_id), reason="Nur neuer Text")
    assert client.post(f"/admin/regeln/{rule.id}", data=data).status_code == 302
    session.expire_all()
    assert session.get(RoutingRule, rule.id).reason == "Nur neuer Text"


def test_partner_refused_by_the_service_is_explained(session, client, admin, monkeypatch):
    """If the choices and the service disagree (a partner switched off meanwhile)."""
    from zentrum.web.admin import views

    hwk = session.get(Partner, _partner_id(session, "hwk"))
    hwk.active = False
    session.commit()
    stale = views._partner_choices

    def choices_before_the_switch(keep=None):
        return stale(keep=_partner_id(session, "hwk"))

    monkeypatch.setattr(views, "_partner_choices", choices_before_the_switch)
    before = _snapshot(session)
    response = client.post("/admin/regeln/neu", data=_form(session))
    assert response.status_code == 422
    assert 'id="partner_id-error"' in response.get_data(as_text=True)
    assert _snapshot(session) == before


def test_rule_can_be_switched_off_and_on(session, client, admin):
    rule = _rule(session, "Thema Studium → Bergische Universität")
    response = client.post(f"/admin/regeln/{rule.id}/deaktivieren")
    assert response.status_code == 302
    assert response.location == f"/admin/regeln#regel-{rule.id}"
    session.expire_all()
    assert session.get(RoutingRule, rule.id).enabled is False
    page = client.get("/admin/regeln").get_data(as_text=True)
    assert "ist jetzt deaktiviert" in page
    row = _row(page, rule.id)
    assert ">deaktiviert<" in row and "Aktivieren" in row
    assert client.post(f"/admin/regeln/{rule.id}/aktivieren").status_code == 302
    session.expire_all()
    assert session.get(RoutingRule, rule.id).enabled is True


def test_switching_needs_a_post(session, client, admin):
    rule = _rule(session, "Thema Studium → Bergische Universität")
    assert client.get(f"/admin/regeln/{rule.id}/deaktivieren").status_code == 405
    session.expire_all()
    assert session.get(RoutingRule, rule.id).enabled is True


def test_switching_needs_the_csrf_token(app_factory, users):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    users("admin", username="regeladmin")
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    logged_in = AuthActions(client).login("regeladmin", PASSWORD, csrf_token=token)
    assert logged_in.status_code == 302 and logged_in.location == "/"
    with app.app_context():
        from zentrum.extensions import db

        rule_id = db.session.scalar(sa.select(RoutingRule.id).order_by(RoutingRule.id))
    assert client.post(f"/admin/regeln/{rule_id}/deaktivieren").status_code == 400
    listed = client.get("/admin/regeln").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', listed)[1]
    response = client.post(f"/admin/regeln/{rule_id}/deaktivieren", data={"csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(RoutingRule, rule_id).enabled is False


@pytest.mark.parametrize("role", ["frontdesk", "advisor", "supervisor"])
def test_other_roles_get_403_and_change_nothing(session, client, users, auth, role):
    auth.login(users(role, partner="ihk" if role == "advisor" else None))
    rule = _rule(session, "Thema Studium → Bergische Universität")
    before = _snapshot(session)
    for url in ("/admin/regeln", "/admin/regeln/neu", f"/admin/regeln/{rule.id}"):
        assert client.get(url).status_code == 403, url
    for url in (
        "/admin/regeln/neu",
        f"/admin/regeln/{rule.id}",
        f"/admin/regeln/{rule.id}/deaktivieren",
    ):
        assert client.post(url, data=_form(session)).status_code == 403, url
    assert _snapshot(session) == before


def test_logged_out_visitor_is_sent_to_login(client):
    response = client.get("/admin/regeln")
    assert response.status_code == 302
    assert "/login" in response.location


def _probe(client, **params):
    query = {"probe-urgency": "normal", "probe-district": "", "probe-run": "1", **params}
    return client.get("/admin/regeln", query_string=query)


def test_probe_ranks_the_matching_partners_with_their_reasons(session, client, admin):
    response = _probe(
        client, **{"probe-topics": [str(_topic_id(session, "apprenticeship"))], "probe-age": "17"}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    results = re.search(r'<ol class="probe-results">(.*?)</ol>', page, re.S)[1]
    items = re.findall(r"<li>(.*?)</li>", results, re.S)
    assert len(items) == 2
    assert "IHK Wuppertal-Solingen-Remscheid" in items[0]
    assert "Thema Ausbildung, 16–24 Jahre → IHK" in items[0] and "Vorschlag" in items[0]
    assert "Handwerkskammer Düsseldorf" in items[1]
    # The form keeps what was asked.
    assert 'value="17"' in page


def test_probe_puts_child_protection_first_in_a_crisis(session, client, admin):
    page = _probe(
        client,
        **{
            "probe-topics": [str(_topic_id(session, "apprenticeship"))],
            "probe-age": "16",
            "probe-urgency": "crisis",
        },
    ).get_data(as_text=True)
    results = re.search(r'<ol class="probe-results">(.*?)</ol>', page, re.S)[1]
    first = re.findall(r"<li>(.*?)</li>", results, re.S)[0]
    assert "Jugendamt Wuppertal" in first and "Kinderschutz" in first


def test_probe_leaves_out_switched_off_rules(session, client, admin):
    ihk = _rule(session, "Thema Ausbildung, 16–24 Jahre → IHK")
    client.post(f"/admin/regeln/{ihk.id}/deaktivieren")
    page = _probe(
        client, **{"probe-topics": [str(_topic_id(session, "apprenticeship"))], "probe-age": "20"}
    ).get_data(as_text=True)
    results = re.search(r'<ol class="probe-results">(.*?)</ol>', page, re.S)[1]
    assert "Handwerkskammer" in results and "IHK" not in results


def test_probe_says_when_no_rule_matches(session, client, admin):
    page = _probe(client, **{"probe-topics": [str(_topic_id(session, "culture"))]}).get_data(
        as_text=True
    )
    assert "Keine Regel passt" in page
    assert "probe-results" not in page


def test_probe_is_not_run_before_it_is_asked(client, admin):
    page = client.get("/admin/regeln").get_data(as_text=True)
    assert "Keine Regel passt" not in page and "probe-results" not in page
    assert 'method="get"' in page


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"probe-age": "alt"}, "probe-age", "Bitte eine ganze Zahl angeben."),
        ({"probe-age": "200"}, "probe-age", "Bitte ein Alter von 0 bis 120 angeben."),
        ({"probe-topics": ["999999"]}, "probe-topics", "Diese Auswahl gibt es nicht"),
    ],
)
def test_bad_probe_input_is_explained(client, admin, params, field, message):
    response = _probe(client, **params)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in re.search(rf'id="{field}-error">(.*?)</p>', page, re.S)[1]
    assert "probe-results" not in page


def test_pages_have_one_h1_no_inline_script_and_labelled_fields(session, client, admin):
    rule = _rule(session, "Thema Studium → Bergische Universität")
    for url in ("/admin/regeln", "/admin/regeln/neu", f"/admin/regeln/{rule.id}"):
        page = client.get(url).get_data(as_text=True)
        assert page.count("<h1") == 1, url
        assert "<script" not in page and "style=" not in page, url
        fields = re.findall(r"<(?:input|select|textarea)[^>]*>", page)
        fields = [f for f in fields if 'type="submit"' not in f and 'type="hidden"' not in f]
        assert fields, url
        for tag in fields:
            field_id = re.search(r'\bid="([^"]+)"', tag)[1]
            assert f'for="{field_id}"' in page, (url, field_id)


def test_list_page_runs_the_same_number_of_statements_for_few_and_many_rules(
    session, client, admin, count_queries
):
    probe = {"probe-topics": [str(_topic_id(session, "apprenticeship"))], "probe-age": "17"}
    session.expire_all()  # the requests share the test's session: start both from cold
    with count_queries() as few:
        _probe(client, **probe)
    for i in range(15):
        response = client.post("/admin/regeln/neu", data=_form(session, reason=f"Regel {i}"))
        assert response.status_code == 302
    session.expire_all()
    with count_queries() as many:
        _probe(client, **probe)
    assert len(few) == len(many)
    assert len(many) <= 5

"""The English catalogue covers every marked string, and the compiled catalogue matches it."""

from zentrum.translations_tool import (
    TRANSLATED_LOCALES,
    check,
    compiled,
    extract,
    mo_is_current,
    read_catalog,
)


def test_sources_mark_strings_in_templates_and_python():
    """The extraction itself works: both kinds of source give strings (a broken babel.cfg would not)."""
    template = extract()
    places = {path for message in template for path, _line in message.locations}
    assert any(p.startswith("templates/") for p in places)
    assert any(p.startswith("zentrum/") and p.endswith(".py") for p in places)
    assert template.get("Bitte prüfen Sie Ihre Eingaben") is not None  # from a macro using {% do %}


def test_every_marked_string_is_translated():
    template = extract()
    for locale in TRANSLATED_LOCALES:
        state = check(template, read_catalog(locale))
        assert state.missing == [], f"{locale}: not in messages.po – run `zentrum translations`"
        assert state.untranslated == [], f"{locale}: empty translations"
        assert state.fuzzy == [], f"{locale}: fuzzy translations to check"


def test_placeholders_survive_translation():
    """A translation keeps every %(name)s of its msgid, or gettext fails at run time."""
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]|%%")
    for locale in TRANSLATED_LOCALES:
        for message in read_catalog(locale):
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for msgid, msgstr in zip(ids, strings, strict=False):
                assert sorted(placeholder.findall(msgid)) == sorted(placeholder.findall(msgstr)), (
                    msgid
                )


def test_compiled_catalogue_is_up_to_date():
    for locale in TRANSLATED_LOCALES:
        assert mo_is_current(locale), f"{locale}: messages.mo is stale – run `zentrum translations`"


def test_check_notices_a_missing_an_empty_and_a_fuzzy_translation():
    from babel.messages.catalog import Catalog

    template = Catalog()
    for msgid in ("Eins", "Zwei", "Drei", "Vier"):
        template.add(msgid)
    catalog = Catalog(locale="en")
    catalog.add("Eins", "One")
    catalog.add("Zwei", "")
    catalog.add("Drei", "Three", flags={"fuzzy"})
    state = check(template, catalog)
    assert (state.missing, state.untranslated, state.fuzzy) == (["Vier"], ["Zwei"], ["Drei"])
    assert not state.complete


def test_fuzzy_translations_stay_out_of_the_compiled_catalogue():
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import read_mo

    catalog = Catalog(locale="en")
    catalog.add("Eins", "One")
    catalog.add("Drei", "Three", flags={"fuzzy"})
    import io

    ids = {m.id for m in read_mo(io.BytesIO(compiled(catalog))) if m.id}
    assert ids == {"Eins"}


def test_a_changed_po_makes_the_compiled_catalogue_stale(tmp_path, monkeypatch):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    from zentrum import translations_tool as tool

    monkeypatch.setattr(tool, "TRANSLATIONS", tmp_path)

    def save(translation):
        catalog = Catalog(locale="en")
        catalog.add("Speichern", translation)
        tool.po_path("en").parent.mkdir(parents=True, exist_ok=True)
        with tool.po_path("en").open("wb") as file:
            write_po(file, catalog)

    save("Save")
    assert not tool.mo_is_current("en")  # no .mo yet
    tool.compile_catalog("en")
    assert tool.mo_is_current("en")
    save("Store")
    assert not tool.mo_is_current("en")


def test_translations_command_lists_what_is_left_and_fails_until_done(app, tmp_path, monkeypatch):
    """`zentrum translations` on a fresh language: catalogue and .mo written, exit code 1."""
    from babel.messages.pofile import read_po, write_po

    from zentrum import translations_tool as tool

    monkeypatch.setattr(tool, "TRANSLATIONS", tmp_path)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["translations"])
    assert first.exit_code == 1
    assert "zu übersetzen" in first.output and "'Abmelden'" in first.output
    assert tool.po_path("en").exists() and tool.mo_is_current("en")

    with tool.po_path("en").open("rb") as file:
        catalog = read_po(file, locale="en")
    for message in catalog:
        if message.id:
            message.string = (
                tuple(f"EN {i}" for i in message.id)
                if isinstance(message.id, tuple)
                else message.id.replace("Abmelden", "Log out")
            )
    with tool.po_path("en").open("wb") as file:
        write_po(file, catalog)
    assert not tool.mo_is_current("en")
    done = runner.invoke(args=["translations"])
    assert done.exit_code == 0, done.output
    assert tool.mo_is_current("en")


def test_a_guess_of_babel_is_kept_while_fuzzy_and_dropped_once_translated(tmp_path, monkeypatch):
    """Babel reads `#| msgid` back as a comment; the tool keeps it only on fuzzy entries."""
    from zentrum import translations_tool

    po = tmp_path / "en" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        '# | msgid "Woche"\nmsgid "Wohnen"\nmsgstr "Housing"\n\n'
        '#, fuzzy\n#| msgid "Hallo"\nmsgid "Hallo!"\nmsgstr "Hello"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(translations_tool, "TRANSLATIONS", tmp_path)
    catalog = read_catalog("en")
    assert catalog.get("Wohnen").user_comments == []
    assert catalog.get("Wohnen").previous_id == []
    assert catalog.get("Hallo!").user_comments == []
    assert catalog.get("Hallo!").previous_id == ["Hallo"]


def test_a_request_keeps_its_translations_until_its_locale_changes(app):
    """The memo of zentrum.translating follows force_locale, refresh and a changed choice."""
    from babel import Locale
    from flask import g, render_template_string
    from flask_babel import force_locale, gettext, refresh

    from zentrum.translating import RequestDomain

    with app.test_request_context():
        assert gettext("Drucken") == "Drucken"
        assert render_template_string("{{ _('Drucken') }}") == "Drucken"
        memo = getattr(g._flask_babel, RequestDomain.MEMO)
        assert str(memo[0]) == "de"
        with force_locale("en"):
            assert gettext("Drucken") == "Print"
            assert render_template_string("{{ _('Drucken') }}") == "Print"
        assert gettext("Drucken") == "Drucken"
        g._flask_babel.babel_locale = Locale.parse("en")  # as if the selector had said so
        assert gettext("Drucken") == "Print"
        refresh()
        assert gettext("Drucken") == "Drucken", "refresh asks the selector again (German here)"


def test_wtforms_own_messages_speak_the_request_language(app):
    """WTForms' catalogue, kept in memory per language, still answers in each request's."""
    from flask_wtf import FlaskForm
    from wtforms import IntegerField

    class Number(FlaskForm):
        class Meta:
            csrf = False

        n = IntegerField()

    said = {}
    for language in ("de", "en", "de"):
        with app.test_request_context(
            method="POST", data={"n": "zwei"}, headers={"Accept-Language": language}
        ):
            app.preprocess_request()
            form = Number()
            assert not form.validate()
            said.setdefault(language, set()).add(form.n.errors[0])
    assert said == {"de": {"Keine gültige, ganze Zahl."}, "en": {"Not a valid integer value."}}

"""The translation workflow in one place: extract, update the catalogues, compile, check.

``zentrum translations`` runs it; the tests use the same functions to fail on any
string that the sources mark but the English catalogue does not translate.
"""

import io
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, unescape, write_po

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "babel.cfg"
TRANSLATIONS = ROOT / "zentrum" / "translations"
DOMAIN = "messages"
# The languages besides German (the msgids are German).
TRANSLATED_LOCALES = ("en",)
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
HEADER = "Translations of zentrum, the case routing of the Zentrum Zukunft Wuppertal."


def po_path(locale: str) -> Path:
    """The catalogue a translator edits."""
    return TRANSLATIONS / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locale: str) -> Path:
    """The compiled catalogue the application reads."""
    return po_path(locale).with_suffix(".mo")


def extract() -> Catalog:
    """Every marked string of the Python sources and templates, with where it occurs."""
    with MAPPING.open(encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping, filename=str(MAPPING))
    template = Catalog(project="zentrum", header_comment=f"# {HEADER}", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, comment_tags=("NOTE:",)
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def read_catalog(locale: str) -> Catalog:
    """The catalogue of one language as it is on disk."""
    with po_path(locale).open("rb") as file:
        catalog = read_po(file, locale=locale, domain=DOMAIN)
    for message in catalog:
        _settle_previous(message)
    return catalog


def _settle_previous(message) -> None:
    """Babel reads a ``#| msgid "…"`` line back as a user comment ``| msgid "…"``.

    Written again, it would stay forever as ``# | msgid …`` above an entry long
    translated, naming some unrelated text. Keep it (as the previous msgid) only
    while the entry is fuzzy, where it shows the translator what Babel guessed from.
    """
    previous = [c for c in message.user_comments if c.startswith("| msgid")]
    if not previous and not any(c.startswith("| ") for c in message.user_comments):
        return
    message.user_comments = [c for c in message.user_comments if not c.startswith("| ")]
    if message.fuzzy and not message.previous_id and previous:
        message.previous_id = [unescape(previous[0].removeprefix("| msgid").strip())]


@dataclass
class CatalogState:
    """What is missing from one language's catalogue, by msgid."""

    missing: list[str] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every string of the sources has a checked translation."""
        return not (self.missing or self.untranslated or self.fuzzy)


def _key(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def check(template: Catalog, catalog: Catalog) -> CatalogState:
    """Compare the sources' strings with a catalogue."""
    state = CatalogState()
    for message in template:
        if not message.id:
            continue
        entry = catalog.get(message.id, context=message.context)
        strings = () if entry is None else entry.string
        strings = strings if isinstance(strings, tuple) else (strings,)
        if entry is None:
            state.missing.append(_key(message))
        elif not all(strings):
            state.untranslated.append(_key(message))
        elif entry.fuzzy:
            state.fuzzy.append(_key(message))
    return state


def update(template: Catalog, locale: str) -> Catalog:
    """Bring one catalogue up to the sources (new strings empty, similar ones fuzzy); save it."""
    path = po_path(locale)
    if path.exists():
        catalog = read_catalog(locale)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(
            locale=locale,
            domain=DOMAIN,
            project="zentrum",
            version="0.1",
            header_comment=f"# {HEADER}",
            msgid_bugs_address="zentrum@zentrum-zukunft.example",
            last_translator="Zentrum Zukunft <zentrum@zentrum-zukunft.example>",
            language_team=f"{locale} <zentrum@zentrum-zukunft.example>",
            fuzzy=False,
        )
    # Only the messages change on an update; the header's dates stay, so that an
    # unchanged source gives an unchanged file.
    catalog.update(template, update_header_comment=False, update_creation_date=False)
    with path.open("wb") as file:
        # Files without line numbers: an edit elsewhere in a source file does not touch
        # the catalogue, so parallel branches merge it without conflicts.
        write_po(
            file,
            catalog,
            width=100,
            ignore_obsolete=True,
            include_previous=True,
            include_lineno=False,
        )
    return catalog


def compiled(catalog: Catalog) -> bytes:
    """The .mo bytes of a catalogue; fuzzy entries are left out, as gettext expects."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def compile_catalog(locale: str) -> None:
    """Write the .mo the application reads from the .po a translator edited."""
    mo_path(locale).write_bytes(compiled(read_catalog(locale)))


def _messages(mo: bytes) -> dict:
    """msgid → msgstr (plural forms as tuples) of compiled catalogue bytes, header left out."""

    def frozen(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {(m.context, frozen(m.id)): frozen(m.string) for m in read_mo(io.BytesIO(mo)) if m.id}


def mo_is_current(locale: str) -> bool:
    """True when the .mo on disk holds exactly the checked translations of the .po."""
    if not mo_path(locale).exists():
        return False
    return _messages(mo_path(locale).read_bytes()) == _messages(compiled(read_catalog(locale)))


def run(*, compile_only: bool = False) -> dict[str, CatalogState]:
    """Extract, update every catalogue, compile it; what is still to translate, per language."""
    template = extract()
    states = {}
    for locale in TRANSLATED_LOCALES:
        catalog = read_catalog(locale) if compile_only else update(template, locale)
        compile_catalog(locale)
        states[locale] = check(template, catalog)
    return states

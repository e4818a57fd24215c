"""Refuse query strings with NUL bytes before any view reads them.

No keyboard types a NUL, and PostgreSQL refuses it in text (a 500 if it reached
a query). Form fields say so beside the field (``NoControlCharacters``); query
strings (search, filters, paging) have no field to say it beside, so the whole
request is answered with a 400 page.
"""

from flask import render_template, request
from flask_babel import gettext as _


def refuse_nul_in_query():
    """Before each request: a 400 page when a query parameter's name or value holds a NUL."""
    for name, values in request.args.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            page = render_template(
                "errors/error.html",
                status=400,
                title=_("Ungültige Anfrage"),
                message=_("Die Anfrage enthält unzulässige Zeichen (Steuerzeichen)."),
            )
            return page, 400
    return None

"""URL converters: ids in URLs stay within the database's integer columns."""

from werkzeug.routing import IntegerConverter

from zentrum.web.validators import MAX_ID


class IdConverter(IntegerConverter):
    """``<int:...>`` in our routes: 0 to 2³¹−1, so a longer number is a 404, not a DataError.

    The id columns are 32-bit integers on PostgreSQL; SQLite refuses beyond 2⁶³.
    """

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)

"""Errors the services raise for the web layer to map onto responses."""


class ServiceError(Exception):
    """A request the domain refuses."""


class InvalidReference(ServiceError):
    """An id in the input names no row it may name (unknown topic, partner or person)."""

    def __init__(self, field: str, value: object) -> None:
        super().__init__(f"{field}: {value!r}")
        self.field = field
        self.value = value

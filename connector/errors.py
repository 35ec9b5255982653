"""The root of every error ml-connector raises on purpose.

Each area (mapping, transport, FreshBooks, store) subclasses these so that the CLI
and the flows can catch one family and still print a message a person can act on:
what is wrong, where, and what to do about it.
"""

from __future__ import annotations


class ConnectorError(Exception):
    """An expected failure with a message meant for a person, never a bare traceback."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class ConfigurationError(ConnectorError):
    """Settings, partner configuration or credentials are missing or inconsistent."""


class DataError(ConnectorError):
    """A partner file or a FreshBooks record cannot be used as it is."""


class TransportError(ConnectorError):
    """A partner's remote folder could not be reached or changed."""


class StoreError(ConnectorError):
    """The state store refused an operation or is at an unexpected schema version."""

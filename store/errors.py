"""The one exception tree of Mingle.

    MingleError                  anything Mingle raises on purpose; caught once at the edge
    ├── ConfigError              a setting is malformed, or a path/package it names is missing
    ├── StoreError               the database could not do what was asked
    │   ├── StoreUnavailable     the database is unreachable, locked, or read-only
    │   └── NotFound             a record asked for by id does not exist
    ├── IndexUnavailable         the vector index cannot be reached, or was built for another model
    └── InputError               what a user typed or passed cannot be used as given

Every message is written for a person: it says what went wrong and what to do about it.
The CLI and the chat UI print ``str(error)`` and never a traceback.
"""

from __future__ import annotations


class MingleError(Exception):
    """Root of every error Mingle raises on purpose."""


class ConfigError(MingleError):
    """A setting is malformed, or a path or package it names is missing."""


class StoreError(MingleError):
    """The database could not do what was asked."""


class StoreUnavailable(StoreError):
    """The database is unreachable, locked, or read-only."""


class NotFound(StoreError):
    """A record asked for by id does not exist."""


class IndexUnavailable(MingleError):
    """The vector index cannot be reached, or was built for another embedding model."""


class InputError(MingleError):
    """What a user typed or passed cannot be used as given."""

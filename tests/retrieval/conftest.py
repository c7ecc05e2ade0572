from __future__ import annotations

from store.domain import Profile


def make(pid: str, **fields: object) -> Profile:
    """A tiny profile for ranking tests; everyone speaks English in UTC+1 unless told."""
    defaults: dict[str, object] = {"display_name": pid.title(), "languages": {"en"}, "utc_offset": 1.0}
    return Profile(id=pid, **{**defaults, **fields})

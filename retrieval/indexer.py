"""Keeping the vector index in step with the store (the source of truth).

``sync`` embeds only entries whose text changed (by content hash) and deletes orphans;
``check`` reports drift without changing anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from retrieval.embedder import Embedder
from retrieval.index import SPACES, VectorIndex
from retrieval.texts import content_hash, offer_text, rfp_text, seek_text
from store.domain import RFP, Profile

BATCH = 256


def wanted_entries(profiles: Iterable[Profile], rfps: Iterable[RFP]) -> dict[str, dict[str, str]]:
    """space → id → text, for everything the index should hold."""
    entries: dict[str, dict[str, str]] = {space: {} for space in SPACES}
    for p in profiles:
        entries["offer"][p.id] = offer_text(p)
        entries["seek"][p.id] = seek_text(p)
    for r in rfps:
        entries["rfp"][r.id] = rfp_text(r)
    return entries


@dataclass
class SyncReport:
    embedded: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)


@dataclass
class DriftReport:
    missing: dict[str, list[str]] = field(default_factory=dict)
    stale: dict[str, list[str]] = field(default_factory=dict)
    orphan: dict[str, list[str]] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return (
            not any(self.missing.values()) and not any(self.stale.values()) and not any(self.orphan.values())
        )

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            kind: {space: len(ids) for space, ids in getattr(self, kind).items()}
            for kind in ("missing", "stale", "orphan")
        }


class Indexer:
    def __init__(self, embedder: Embedder, index: VectorIndex) -> None:
        self.embedder = embedder
        self.index = index

    def _hash(self, text: str) -> str:
        return content_hash(self.embedder.model_id, text)

    def check(self, profiles: Iterable[Profile], rfps: Iterable[RFP]) -> DriftReport:
        report = DriftReport()
        for space, wanted in wanted_entries(profiles, rfps).items():
            have = self.index.hashes(space)
            report.missing[space] = sorted(set(wanted) - set(have))
            report.stale[space] = sorted(
                i for i in set(wanted) & set(have) if have[i] != self._hash(wanted[i])
            )
            report.orphan[space] = sorted(set(have) - set(wanted))
        return report

    def sync(
        self,
        profiles: Iterable[Profile],
        rfps: Iterable[RFP],
        *,
        progress: Callable[[int], None] | None = None,
        prune: bool = True,
    ) -> SyncReport:
        """Embed what is missing or changed, in batches; delete what the store no longer has."""
        report = SyncReport()
        for space, wanted in wanted_entries(profiles, rfps).items():
            have = self.index.hashes(space)
            todo = [i for i, text in wanted.items() if have.get(i) != self._hash(text)]
            for start in range(0, len(todo), BATCH):
                ids = todo[start : start + BATCH]
                texts = [wanted[i] for i in ids]
                self.index.upsert(space, ids, self.embedder.embed(texts), [self._hash(t) for t in texts])
                if progress:
                    progress(len(ids))
            orphans = sorted(set(have) - set(wanted)) if prune else []
            self.index.delete(space, orphans)
            report.embedded[space] = len(todo)
            report.unchanged[space] = len(wanted) - len(todo)
            report.deleted[space] = len(orphans)
        return report

    def remove(self, profile_ids: Iterable[str] = (), rfp_ids: Iterable[str] = ()) -> None:
        ids = list(profile_ids)
        self.index.delete("offer", ids)
        self.index.delete("seek", ids)
        self.index.delete("rfp", list(rfp_ids))

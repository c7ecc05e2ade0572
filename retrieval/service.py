"""Suggestions and search: the store (truth), the vector index and the pure ranking, composed.

match(A): A's seek/offer vectors (from the index when fresh, else embedded)
  → nearest offers to A's seek, nearest seeks to A's offer (two unfiltered index queries)
  → exact similarities for the union → profiles from the store → vetoes, scores,
    attention spreading (retrieval.matching) → explained top k, plus RFPs.
search(text): parse (rules) → dense (both spaces) + BM25 → RRF → filters → explained.

Both first bring the index in step with the store (``in_step``), so an answer never depends on
whether a background sync has finished: one aggregate query (the store's generation) compared
with the generation of the last sync; only when they differ, a sync that embeds what changed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from retrieval.embedder import Embedder
from retrieval.index import VectorIndex
from retrieval.indexer import DriftReport, Indexer, SyncReport
from retrieval.lexical import BM25Index
from retrieval.matching import Candidate, Context, PersonMatch, RFPMatch, rank_people, rank_rfps
from retrieval.query import SearchQuery, parse_query
from retrieval.scoring import DEFAULT, Weights
from retrieval.search import SearchHit, rank_search
from retrieval.texts import content_hash, offer_text, seek_text
from store.domain import RFP, Profile
from store.errors import InputError
from store.repositories import Generation, Store


@dataclass
class MatchResult:
    profile: Profile
    people: list[PersonMatch]
    rfps: list[RFPMatch]


class MatchService:
    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        index: VectorIndex,
        *,
        weights: Weights = DEFAULT,
        pool: int = 40,
        rfp_ttl: float = 2.0,
        window: timedelta = timedelta(days=7),
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.index = index
        self.indexer = Indexer(embedder, index)
        self.weights = weights
        self.pool = pool
        self.window = window
        self._lexical: tuple[tuple[int, str], BM25Index] | None = None
        self.rfp_ttl = rfp_ttl
        self._open_rfps: tuple[float, list[RFP], dict[str, Profile]] | None = None
        self._synced: Generation | None = None  # the store's generation the index was last synced to
        self._syncing = threading.Lock()  # one sync at a time; a match arriving meanwhile waits for it

    # --- the index ------------------------------------------------------------------------
    def reindex(self, *, rebuild: bool = False, progress: Callable[[int], None] | None = None) -> SyncReport:
        """Bring the index in step with the store: embed what is missing or changed, drop orphans."""
        with self._syncing:
            return self._sync(rebuild=rebuild, progress=progress)

    def _sync(self, *, rebuild: bool = False, progress: Callable[[int], None] | None = None) -> SyncReport:
        generation = self.store.generation()  # read first: a change during the sync shows next time
        if rebuild:
            self.index.reset()
        report = self.indexer.sync(self.store.profiles.list(), self.store.rfps.list(), progress=progress)
        self._synced = generation
        return report

    def in_step(self, *, force: bool = False) -> Generation:
        """Make sure the index holds what the store holds before anyone is answered.

        Cheap when nothing changed: the store's generation (one aggregate query) equals the one
        of the last sync. Otherwise (another process wrote, a save was indexed alone, this
        process has not synced yet, or ``force``) a sync, which embeds only what changed; a
        caller arriving meanwhile waits for it. An index that cannot be reached raises
        IndexUnavailable: never an empty answer."""
        generation = self.store.generation()
        if generation == self._synced and not force:
            return generation
        with self._syncing:
            generation = self.store.generation()
            if generation != self._synced or force:
                self._sync()
        return generation

    def check(self) -> DriftReport:
        return self.indexer.check(self.store.profiles.list(), self.store.rfps.list())

    def index_profile(self, profile: Profile) -> None:
        """After the SQL commit: embed this person's texts if they changed. When the store moved
        exactly as this save explains, the index is still known to be in step, so the next match
        needs no full check (which costs O(people): ~50 ms at 300)."""
        with self._syncing:
            known = self._synced
            new = not self.index.get("offer", [profile.id])
            self.indexer.sync([profile], [], prune=False)
            self._lexical = None
            saved = self.store.profiles.find(profile.id)
            if known is None or saved is None:
                return
            latest = [t for t in (known.profiles_changed, saved.updated_at) if t is not None]
            explained = known._replace(profiles=known.profiles + new, profiles_changed=max(latest))
            if self.store.generation() == explained:
                self._synced = explained

    # --- matching -------------------------------------------------------------------------
    def _own_vectors(self, a: Profile) -> tuple[np.ndarray, np.ndarray]:
        texts = {"seek": seek_text(a), "offer": offer_text(a)}
        out: dict[str, np.ndarray] = {}
        for space, text in texts.items():
            stored = self.index.get(space, [a.id]).get(a.id)
            if stored is not None and stored[1] == content_hash(self.embedder.model_id, text):
                out[space] = stored[0]
        missing = [space for space in texts if space not in out]
        if missing:
            for space, vector in zip(missing, self.embedder.embed([texts[s] for s in missing]), strict=True):
                out[space] = vector
        return out["seek"], out["offer"]

    def _candidates(self, a: Profile, seek_a: np.ndarray, offer_a: np.ndarray, pool: int) -> list[Candidate]:
        """The union of both nearest-neighbour lists. A candidate found in only one list gets,
        for the other direction, the lowest similarity that list returned: its true value is
        at most that (it did not make the list), and the text term weighs 0.3 of growth."""
        sim_ab = dict(self.index.query("offer", seek_a, pool))  # who offers what A seeks
        sim_ba = dict(self.index.query("seek", offer_a, pool))  # who seeks what A offers
        floor_ab = min(sim_ab.values(), default=0.0)
        floor_ba = min(sim_ba.values(), default=0.0)
        ids = (set(sim_ab) | set(sim_ba)) - {a.id}
        profiles = self.store.profiles.get_many(ids, for_ranking=True)
        return [
            Candidate(profiles[i], sim_ab.get(i, floor_ab), sim_ba.get(i, floor_ba))
            for i in sorted(ids)
            if i in profiles
        ]

    def _context(self, a: Profile, candidate_ids: list[str], exposure: dict[str, int] | None) -> Context:
        blocked = {frozenset({a.id, other}) for other in self.store.feedback.blocked_with(a.id)}
        blocked |= {frozenset({i.requester_id, i.target_id}) for i in self.store.intros.involving(a.id)}
        since = datetime.now(UTC) - self.window
        return Context(
            blocked=blocked,
            open_intros=self.store.intros.open_counts(candidate_ids),
            exposure=exposure
            if exposure is not None
            else self.store.exposures.counts_since(since, candidate_ids),
        )

    def match(
        self,
        who: Profile | str,
        *,
        k: int = 10,
        rfp_k: int = 5,
        viewer: str | None = None,
        exposure: dict[str, int] | None = None,
    ) -> MatchResult:
        """Top k people and rfp_k RFPs for a person (stored, or a draft not yet saved).
        With ``viewer`` set, the people shown are recorded for attention spreading."""
        a = self.store.profiles.get(who) if isinstance(who, str) else who
        people_in_store = self.in_step().profiles
        seek_a, offer_a = self._own_vectors(a)
        pool, resynced = self.pool, False
        while True:
            candidates = self._candidates(a, seek_a, offer_a, pool)
            if len(candidates) < min(pool, people_in_store) - 1 and not resynced:
                self.in_step(force=True)  # the index lost entries behind our back (a restarted server)
                resynced = True
                continue
            context = self._context(a, [c.profile.id for c in candidates], exposure)
            people = rank_people(a, candidates, context, k, self.weights)
            if len(people) >= k or len(candidates) < pool - 1:
                break
            pool *= 4  # rare: strict languages or hours; look further
        if viewer is not None and people:
            self.store.exposures.record(viewer, [m.profile.id for m in people])
        return MatchResult(a, people, self._rfps(a, seek_a, context, rfp_k))

    def _open_rfps_and_owners(self) -> tuple[list[RFP], dict[str, Profile]]:
        """Open RFPs and their owners, re-read at most every ``rfp_ttl`` seconds."""
        now = time.monotonic()
        if self._open_rfps is None or now - self._open_rfps[0] > self.rfp_ttl:
            rfps = self.store.rfps.list(status="open")
            self._open_rfps = (
                now,
                rfps,
                self.store.profiles.get_many({r.owner_id for r in rfps}, for_ranking=True),
            )
        return self._open_rfps[1], self._open_rfps[2]

    def _rfps(self, a: Profile, seek_a: np.ndarray, context: Context, k: int) -> list[RFPMatch]:
        """Open RFPs; ``context.blocked`` already holds this person's "not a fit" both ways."""
        rfps, owners = self._open_rfps_and_owners()
        if not rfps or k <= 0:
            return []
        sims = dict(self.index.query("rfp", seek_a, len(rfps)))
        return rank_rfps(a, [(r, sims.get(r.id, 0.0)) for r in rfps], owners, context, k, self.weights)

    # --- search ---------------------------------------------------------------------------
    def _lexical_index(self, profiles: dict[str, Profile]) -> BM25Index:
        signature = (len(profiles), max((p.updated_at.isoformat() for p in profiles.values()), default=""))
        if self._lexical is None or self._lexical[0] != signature:
            ids = sorted(profiles)
            texts = [offer_text(profiles[i]) + " " + seek_text(profiles[i]) for i in ids]
            self._lexical = (signature, BM25Index(ids, texts))
        return self._lexical[1]

    def search(
        self, text: str, *, k: int = 10, query: SearchQuery | None = None
    ) -> tuple[SearchQuery, list[SearchHit]]:
        if not text.strip():
            raise InputError(
                "tell me who you are looking for, e.g. “someone strong at writing who works on diffusion”"
            )
        query = query or parse_query(text)
        self.in_step()
        profiles = {p.id: p for p in self.store.profiles.list() if p.visibility == "public" and not p.paused}
        pool = min(len(profiles), max(self.pool * 2, 200))
        vector = self.embedder.embed([text])[0]
        dense = [[i for i, _ in self.index.query(space, vector, pool)] for space in ("offer", "seek")]
        if min(map(len, dense)) < pool:  # the index lost entries behind our back (a restarted server)
            self.in_step(force=True)
            dense = [[i for i, _ in self.index.query(space, vector, pool)] for space in ("offer", "seek")]
        lexical = [i for i, _ in self._lexical_index(profiles).search(query.text or text, pool)]
        return query, rank_search(query, profiles, [*dense, lexical], k)

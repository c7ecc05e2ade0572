"""The composition root: every part can be handed in, and what is not is built from Settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.chat_model import FakeChatModel
from assistant.cli.main import app
from assistant.extraction.llm import HybridExtractor
from assistant.extraction.rules import RulesExtractor
from assistant.services import build_services, scratch_settings
from assistant.settings import Settings
from retrieval.chroma_index import ChromaIndex
from retrieval.embedder import HashingEmbedder
from retrieval.index import MemoryIndex
from store.errors import StoreUnavailable
from tests.assistant.fakes import KeywordExtractor


def test_every_part_handed_in_is_used_as_it_is(tmp_path: Path) -> None:
    embedder = HashingEmbedder(dim=32)
    index = MemoryIndex(embedder.model_id, embedder.dim)
    extractor = KeywordExtractor()
    services = build_services(
        scratch_settings(tmp_path), embedder=embedder, index=index, extractor=extractor, upgrade=True
    )
    try:
        assert services.matching.embedder is embedder
        assert services.matching.index is index
        assert services.intake.extractor is extractor
        assert services.intake.matching is services.matching
        assert services.intake.store is services.store is services.matching.store
        assert services.chat_model is None and services.intake.expects_llm is False
    finally:
        services.close()


def test_offline_settings_build_rules_and_an_embedded_index(tmp_path: Path) -> None:
    embedder = HashingEmbedder(dim=32)
    services = build_services(scratch_settings(tmp_path), embedder=embedder, upgrade=True)
    try:
        assert isinstance(services.intake.extractor, RulesExtractor)
        assert isinstance(services.matching.index, ChromaIndex)
        assert (tmp_path / "chroma").is_dir() and (tmp_path / "mingle.db").is_file()
    finally:
        services.close()


def test_a_chat_model_handed_in_makes_the_hybrid_extractor(tmp_path: Path) -> None:
    chat = FakeChatModel()
    embedder = HashingEmbedder(dim=32)
    services = build_services(
        scratch_settings(tmp_path),
        embedder=embedder,
        index=MemoryIndex(embedder.model_id, embedder.dim),
        chat_model=chat,
        upgrade=True,
    )
    try:
        assert isinstance(services.intake.extractor, HybridExtractor)
        assert services.intake.extractor.llm.chat is chat
        assert services.chat_model is chat and services.intake.expects_llm is True
    finally:
        services.close()


def test_scratch_settings_ignore_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINGLE_LLM_MODEL", "gpt-4o-mini")
    monkeypatch.setenv("MINGLE_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    monkeypatch.setenv("MINGLE_CHROMA_URL", "http://127.0.0.1:1")
    settings = scratch_settings(tmp_path)
    assert settings.offline and settings.database_url is None and settings.chroma_url is None
    assert settings.resolved_database_url.endswith(str(tmp_path / "mingle.db"))


def test_a_store_not_migrated_is_refused_unless_asked_to_upgrade(tmp_path: Path) -> None:
    embedder = HashingEmbedder(dim=32)
    with pytest.raises(StoreUnavailable, match="mingle db upgrade"):
        build_services(Settings(data_dir=tmp_path), embedder=embedder, index=MemoryIndex("m", 32))


def test_a_typo_in_the_extractor_is_a_usage_error(tmp_path: Path) -> None:
    transcript = tmp_path / "t.json"
    transcript.write_text('{"turns": [{"role": "user", "content": "I work on diffusion"}]}')
    result = CliRunner().invoke(app, ["extract", str(transcript), "--extractor", "rulez"])
    assert result.exit_code == 2
    assert "rulez" in result.output and "rules" in result.output

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import load_settings
from store.errors import ConfigError


def test_defaults_run_offline_with_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.offline
    assert settings.data_dir == Path(".mingle")
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / '.mingle' / 'mingle.db'}"
    assert settings.resolved_chroma_path == Path(".mingle/chroma")


def test_prefix_is_mingle_and_database_url_is_never_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://chainlit-owns-this/db")
    monkeypatch.setenv("MINGLE_LLM_MODEL", "ollama/llama3")
    settings = load_settings()
    assert settings.database_url is None
    assert settings.llm_model == "ollama/llama3" and not settings.offline


def test_a_malformed_setting_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINGLE_DATABASE_URL", "mysql://nope")
    with pytest.raises(ConfigError, match="MINGLE_DATABASE_URL must start with sqlite"):
        load_settings()
    monkeypatch.setenv("MINGLE_DATABASE_URL", "")
    monkeypatch.setenv("MINGLE_PORT", "eighty")
    with pytest.raises(ConfigError, match=r"^MINGLE_PORT: "):
        load_settings()


def test_every_setting_is_documented() -> None:
    from assistant.settings import Settings

    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text()
    example = (root / ".env.example").read_text()
    for name in Settings.model_fields:
        variable = f"MINGLE_{name.upper()}"
        assert variable in readme, f"{variable} missing from README.md"
        assert variable in example, f"{variable} missing from .env.example"


def test_blank_values_from_env_example_mean_unset(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    (tmp_path / ".env").write_text((root / ".env.example").read_text())
    settings = load_settings()
    assert settings.offline
    assert settings.database_url is None and settings.chroma_url is None
    assert settings.embedding_model_path is None and settings.chroma_path is None

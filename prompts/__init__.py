"""Prompt templates as versioned files, loaded with importlib.resources.

Layout: ``prompts/<name>/v<N>.md``; versioned data the prompts and replies use (the offline
answer set) is ``prompts/<name>/v<N>.json`` (``load_data``), released the same way. A prompt
file is a list of chat messages, each opened by a header line ``=== system ===``,
``=== user ===`` or ``=== assistant ===``; lines before the first header (a comment for
reviewers) are ignored. Variables are written ``{{ name }}``.

Rules:
- ``render`` fails with a ``PromptError`` when a variable the template uses is not given, or
  when a given variable is not used (a typo would otherwise pass silently).
- Substitution is one pass: a value that itself contains ``{{ x }}`` is inserted as is, so
  user text can never pull in other variables.
- A released version is never edited in place: a change is a new file ``v<N+1>.md``.
  ``released.json`` holds the sha256 of every released version and the test suite checks
  it (``tests/prompts``); ``version=None`` means the newest version on disk.
- ``RenderedPrompt.name`` and ``.version`` go into the LLM call log.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable

from store.errors import ConfigError

ROLES = ("system", "user", "assistant")
_HEADER = re.compile(r"^=== (system|user|assistant) ===[ \t]*$", re.MULTILINE)
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_VERSION = re.compile(r"^v(\d+)\.md$")
_DATA_VERSION = re.compile(r"^v(\d+)\.json$")
MANIFEST = "released.json"


class PromptError(ConfigError):
    """A prompt file is missing or malformed, or a render was given the wrong variables."""


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: str
    messages: tuple[tuple[str, str], ...]
    source: str

    @property
    def variables(self) -> frozenset[str]:
        return frozenset(v for _, text in self.messages for v in _VARIABLE.findall(text))

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class RenderedPrompt:
    """Chat messages ready for a model, with the prompt's identity for the call log."""

    name: str
    version: str
    messages: list[dict[str, str]]


def _folder(name: str) -> Traversable:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise PromptError(f"prompt name {name!r} is not a valid prompt name (lowercase letters, digits, _)")
    folder = resources.files(__name__).joinpath(name)
    if not folder.is_dir():
        raise PromptError(f"there is no prompt called {name!r}: the prompts package may be incomplete")
    return folder


def versions(name: str) -> list[str]:
    """The versions of one prompt on disk, oldest first (``v1``, ``v2``, ...)."""
    found = [m for m in (_VERSION.match(f.name) for f in _folder(name).iterdir()) if m]
    return [f"v{n}" for n in sorted(int(m.group(1)) for m in found)]


def _folders() -> list[Traversable]:
    root = resources.files(__name__)
    return [f for f in root.iterdir() if f.is_dir() and not f.name.startswith(("_", "."))]


def names() -> list[str]:
    """Every prompt name in the package (folders of ``v<N>.md`` files)."""
    return sorted(f.name for f in _folders() if any(_VERSION.match(x.name) for x in f.iterdir()))


def data_names() -> list[str]:
    """Every versioned data set in the package (folders of ``v<N>.json`` files, e.g. answers)."""
    return sorted(f.name for f in _folders() if any(_DATA_VERSION.match(x.name) for x in f.iterdir()))


def data_versions(name: str) -> list[str]:
    found = [m for m in (_DATA_VERSION.match(f.name) for f in _folder(name).iterdir()) if m]
    return [f"v{n}" for n in sorted(int(m.group(1)) for m in found)]


@dataclass(frozen=True)
class DataFile:
    """A versioned JSON data set (the same release rule as prompts: never edited in place)."""

    name: str
    version: str
    content: dict[str, object]
    sha256: str


@lru_cache(maxsize=16)
def load_data(name: str, version: str | None = None) -> DataFile:
    """One version of a data set (default: the newest)."""
    available = data_versions(name)
    version = version or (available[-1] if available else None)
    if version is None or version not in available:
        raise PromptError(f"data set {name!r} has no version {version or 'file (v1.json, ...)'}")
    source = _folder(name).joinpath(f"{version}.json").read_text(encoding="utf-8")
    try:
        content = json.loads(source)
    except json.JSONDecodeError as exc:
        raise PromptError(f"prompts/{name}/{version}.json is not valid JSON ({exc.msg})") from None
    if not isinstance(content, dict):
        raise PromptError(f"prompts/{name}/{version}.json must hold a JSON object")
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    return DataFile(name, version, content, digest)


def parse(name: str, version: str, source: str) -> PromptTemplate:
    """Split a prompt file into (role, template) messages."""
    headers = list(_HEADER.finditer(source))
    if not headers:
        raise PromptError(f"prompt {name} {version} has no '=== system ===' or '=== user ===' header")
    messages: list[tuple[str, str]] = []
    for index, header in enumerate(headers):
        end = headers[index + 1].start() if index + 1 < len(headers) else len(source)
        text = source[header.end() : end].strip("\n")
        if not text.strip():
            raise PromptError(f"prompt {name} {version} has an empty {header.group(1)} message")
        messages.append((header.group(1), text))
    return PromptTemplate(name=name, version=version, messages=tuple(messages), source=source)


@lru_cache(maxsize=64)
def load(name: str, version: str | None = None) -> PromptTemplate:
    """One prompt version (default: the newest)."""
    if version is None:
        available = versions(name)
        if not available:
            raise PromptError(f"prompt {name!r} has no version file (v1.md, v2.md, ...)")
        version = available[-1]
    if not _VERSION.match(f"{version}.md"):
        raise PromptError(f"prompt version {version!r} is not of the form v1, v2, ...")
    file = _folder(name).joinpath(f"{version}.md")
    if not file.is_file():
        raise PromptError(f"prompt {name!r} has no version {version} (it has {', '.join(versions(name))})")
    return parse(name, version, file.read_text(encoding="utf-8"))


def render(name: str, version: str | None = None, /, **variables: str) -> RenderedPrompt:
    """Fill a prompt's variables; every variable must be given, and only those."""
    template = load(name, version)
    missing = template.variables - variables.keys()
    if missing:
        raise PromptError(
            f"prompt {template.name} {template.version} needs {', '.join(sorted(missing))}: "
            "pass it to render()"
        )
    unused = variables.keys() - template.variables
    if unused:
        raise PromptError(
            f"prompt {template.name} {template.version} does not use {', '.join(sorted(unused))}"
        )
    messages = [
        {"role": role, "content": _VARIABLE.sub(lambda m: str(variables[m.group(1)]), text)}
        for role, text in template.messages
    ]
    return RenderedPrompt(name=template.name, version=template.version, messages=messages)


def released() -> dict[str, str]:
    """``{"<name>/<version>": sha256}`` of every released prompt version."""
    manifest = resources.files(__name__).joinpath(MANIFEST)
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PromptError(f"prompts/{MANIFEST} is missing: the prompts package is incomplete") from None
    except json.JSONDecodeError as exc:
        raise PromptError(f"prompts/{MANIFEST} is not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise PromptError(f"prompts/{MANIFEST} must map '<name>/<version>' to a sha256 string")
    return data

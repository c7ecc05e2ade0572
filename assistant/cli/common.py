"""What every `mingle` command shares: the consoles, the --json flag, settings, the extractor choice."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape as rich_escape

from assistant.conversation.markup import plain
from assistant.settings import load_settings
from store.errors import InputError

if TYPE_CHECKING:
    from assistant.extraction import Extractor

out = Console()
err = Console(stderr=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


class ExtractorKind(StrEnum):
    """`--extractor`: typer turns a typo into a usage error listing these."""

    rules = "rules"
    llm = "llm"
    hybrid = "hybrid"


def shown(words: str) -> str:
    """Anyone's words inside rich markup: one line, no control characters, brackets escaped, so a
    name like ``[/]`` or ``[link=…]`` is printed as typed instead of crashing or linking."""
    return rich_escape(plain(words))


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def extractor(kind: ExtractorKind) -> Extractor:
    """The extractor a command asked for; the model ones need MINGLE_LLM_MODEL."""
    from assistant.services import open_chat_model, open_extractor, open_store

    config = load_settings()
    if kind is ExtractorKind.rules:
        from assistant.extraction.rules import RulesExtractor

        return RulesExtractor()
    if config.offline:
        raise InputError(f"--extractor {kind} needs MINGLE_LLM_MODEL (any litellm model)")
    hybrid = open_extractor(open_chat_model(config, open_store(config)))
    from assistant.extraction.llm import HybridExtractor

    assert isinstance(hybrid, HybridExtractor)  # a configured model always gives the hybrid
    return hybrid if kind is ExtractorKind.hybrid else hybrid.llm

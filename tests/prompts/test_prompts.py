"""Prompt files: loading, strict rendering, the released-version guard, and golden renders.

Regenerate goldens after an intended prompt change with
``MINGLE_UPDATE_GOLDEN=1 pytest tests/prompts`` and review the diff. (The variable is read at
import, before the suite's fixture clears ``MINGLE_*`` variables.)
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import pytest

import prompts
from assistant.extraction.llm import LLMExtractor
from assistant.extraction.port import Extraction
from prompts import PromptError, parse, render
from store.domain import CareerStage, Message, ProfileFields

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("MINGLE_UPDATE_GOLDEN") == "1"

TURNS = [
    Message(role="assistant", content="Hi! What are you working on, and what would help you most?"),
    Message(role="user", content="I'm Linh, a PhD student in Hanoi working on diffusion models."),
    Message(role="assistant", content="What would you like to get better at?"),
    Message(
        role="user",
        content="Writing papers. I can give about 5 hours a week; I speak English and Vietnamese.",
    ),
]


def as_text(rendered: prompts.RenderedPrompt) -> str:
    """A rendered prompt in the prompt-file format, so golden diffs read like prompt diffs."""
    head = f"Golden render of {rendered.name} {rendered.version}. Regenerate: MINGLE_UPDATE_GOLDEN=1.\n"
    body = "".join(f"\n=== {m['role']} ===\n{m['content']}\n" for m in rendered.messages)
    return head + body


def assert_golden(filename: str, text: str) -> None:
    path = GOLDEN / filename
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"no golden {path.name}: run with MINGLE_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8"), (
        f"{path.name} differs from the render: if the change is intended, regenerate with "
        "MINGLE_UPDATE_GOLDEN=1 and review the diff"
    )


def test_extract_profile_golden() -> None:
    extractor = LLMExtractor(chat=None, fallback=None, prompt_version="v1")  # type: ignore[arg-type]  # rendering only
    rendered = extractor.messages(TURNS)
    assert (rendered.name, rendered.version) == ("extract_profile", "v1")
    assert [m["role"] for m in rendered.messages] == ["system", "user"]
    assert_golden("extract_profile-v1.md", as_text(rendered))


def test_extract_profile_v2_golden() -> None:
    """The incremental prompt: the draft so far and the turns after it (here: the last two)."""
    extractor = LLMExtractor(chat=None, fallback=None)  # type: ignore[arg-type]  # rendering only
    draft = Extraction(
        fields=ProfileFields(career_stage=CareerStage.phd, topics=["diffusion models"]),
        evidence={"career_stage": ["a PhD student"], "topics": ["working on diffusion models"]},
        display_name="Linh",
        source="llm",
    )
    draft.evidence["display_name"] = ["I'm Linh"]
    rendered = extractor.messages(TURNS[2:], draft)
    assert (rendered.name, rendered.version) == ("extract_profile", "v2")
    assert [m["role"] for m in rendered.messages] == ["system", "user"]
    assert_golden("extract_profile-v2.md", as_text(rendered))


def test_extract_profile_reask_v2_golden() -> None:
    rendered = render("extract_profile_reask", "v2", errors="- career_stage.value: Input should be 'phd'")
    assert_golden("extract_profile_reask-v2.md", as_text(rendered))


def test_extract_profile_reask_golden() -> None:
    rendered = render("extract_profile_reask", "v1", errors="- career_stage.value: Input should be 'phd'")
    assert [m["role"] for m in rendered.messages] == ["user"]
    assert_golden("extract_profile_reask-v1.md", as_text(rendered))


def test_every_version_on_disk_is_released_and_unchanged() -> None:
    manifest = prompts.released()
    on_disk = {f"{name}/{version}" for name in prompts.names() for version in prompts.versions(name)}
    data = {f"{name}/{v}" for name in prompts.data_names() for v in prompts.data_versions(name)}
    assert on_disk and data, "the prompts package holds no prompt or no data set"
    on_disk |= data
    for key in sorted(on_disk):
        name, version = key.split("/")
        file = prompts.load_data(name, version) if key in data else prompts.load(name, version)
        digest = file.sha256
        assert key in manifest, f'new prompt version {key}: add "{key}": "{digest}" to prompts/released.json'
        assert manifest[key] == digest, (
            f"prompt {key} was edited after release: restore it and put the change in a new version file"
        )
    assert set(manifest) <= on_disk, f"released prompts missing from disk: {sorted(set(manifest) - on_disk)}"


def test_prompt_files_are_package_resources() -> None:
    root = resources.files("prompts")
    assert root.joinpath("extract_profile", "v1.md").is_file()
    assert root.joinpath("released.json").is_file()


def test_newest_version_is_the_default() -> None:
    assert prompts.load("extract_profile").version == prompts.versions("extract_profile")[-1]
    assert prompts.versions("extract_profile")[0] == "v1"


def test_missing_variable_fails_with_its_name() -> None:
    with pytest.raises(PromptError, match=r"extract_profile v1 needs conversation"):
        render("extract_profile", "v1", schema="{}")


def test_unused_variable_fails() -> None:
    with pytest.raises(PromptError, match=r"does not use convresation"):
        render("extract_profile_reask", "v1", errors="x", convresation="typo")


def test_unknown_prompt_and_version_fail_clearly() -> None:
    with pytest.raises(PromptError, match=r"no prompt called 'nope'"):
        render("nope")
    with pytest.raises(PromptError, match=r"has no version v99 \(it has v1"):
        render("extract_profile", "v99", schema="", conversation="")
    with pytest.raises(PromptError, match=r"not of the form v1"):
        prompts.load("extract_profile", "latest")
    with pytest.raises(PromptError, match=r"not a valid prompt name"):
        prompts.load("../store")


def test_substitution_is_one_pass() -> None:
    rendered = render("extract_profile_reask", "v1", errors="{{ errors }} and {{ schema }}")
    assert "{{ errors }} and {{ schema }}" in rendered.messages[0]["content"]


def test_parse_splits_roles_and_ignores_the_preamble() -> None:
    template = parse("demo", "v1", "a comment\n=== system ===\nBe {{ tone }}.\n=== user ===\nHi {{ name }}\n")
    assert template.messages == (("system", "Be {{ tone }}."), ("user", "Hi {{ name }}"))
    assert template.variables == {"tone", "name"}


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("no headers at all", "has no '=== system ==='"),
        ("=== user ===\n\n=== system ===\nx", "empty user message"),
    ],
)
def test_parse_rejects_malformed_files(source: str, message: str) -> None:
    with pytest.raises(PromptError, match=message):
        parse("demo", "v1", source)


def test_reply_schema_golden() -> None:
    """The schema the model reads, pretty-printed so a Field description change shows as a diff."""
    import json

    from assistant.extraction.llm import ProfileReply

    text = json.dumps(ProfileReply.model_json_schema(), indent=2, ensure_ascii=False) + "\n"
    assert_golden("profile_reply.schema.json", text)


def test_reply_golden() -> None:
    rendered = render(
        "reply",
        "v1",
        language="French",
        said="je travaille sur la reconnaissance vocale pour le wolof",
        draft="Got it: you work on speech recognition. Where are you in your journey?",
    )
    assert [m["role"] for m in rendered.messages] == ["system", "user"]
    assert_golden("reply-v1.md", as_text(rendered))

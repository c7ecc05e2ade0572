from __future__ import annotations

from retrieval.texts import content_hash, offer_text, seek_text
from store.domain import Profile


def test_texts_come_from_contract_fields_only() -> None:
    p = Profile(
        display_name="John Wick",
        bio="Stanford, very confident, he/him",
        skills_have={"write"},
        skills_want={"code"},
        offering={"feedback"},
        seeking={"compute"},
        topics=["diffusion models"],
    )
    assert offer_text(p) == "Strong at writing. Offers feedback on drafts. Works on diffusion models."
    assert seek_text(p) == "Wants to grow coding. Looking for compute (GPUs). Works on diffusion models."
    for text in (offer_text(p), seek_text(p)):
        assert "John" not in text and "Stanford" not in text and "confident" not in text


def test_content_hash_changes_with_text_or_model() -> None:
    assert content_hash("m", "a") == content_hash("m", "a")
    assert content_hash("m", "a") != content_hash("m", "b")
    assert content_hash("m", "a") != content_hash("n", "a")

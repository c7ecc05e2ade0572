from __future__ import annotations

import pytest
from pydantic import ValidationError

from store.domain import CONTRACT_FIELDS, RFP, Profile, ProfileFields, Skill


def test_contract_has_the_ten_fields_of_the_brief_as_plain_json() -> None:
    fields = ProfileFields(
        career_stage="phd",
        skills_have={"write", "read"},
        skills_want={"code"},
        seeking={"compute"},
        offering={"feedback"},
        project_mode="pitch_idea",
        topics=["diffusion models"],
        languages={"en", "ig"},
        utc_offset=1,
        hours_per_week=6,
    )
    contract = fields.contract()
    assert tuple(contract) == CONTRACT_FIELDS
    assert contract["skills_have"] == ["read", "write"]  # sets become sorted lists
    assert contract["languages"] == ["en", "ig"]
    assert contract["utc_offset"] == 1.0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("skills_have", {"juggling"}),
        ("career_stage", "wizard"),
        ("languages", {"english"}),
        ("utc_offset", 15),
        ("hours_per_week", -1),
        ("seeking", {"money"}),
    ],
)
def test_values_outside_the_contract_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        ProfileFields(**{field: value})


def test_unknown_fields_are_refused_not_ignored() -> None:
    with pytest.raises(ValidationError, match="extra"):
        Profile(display_name="A", superpower="flight")  # type: ignore[call-arg]  # the unknown field is the point


def test_topics_are_trimmed_and_deduplicated_case_insensitively() -> None:
    assert ProfileFields(topics=["  Diffusion   models", "diffusion models", "", "GNNs"]).topics == [
        "Diffusion models",
        "GNNs",
    ]


def test_evidence_may_only_name_contract_fields() -> None:
    Profile(display_name="A", evidence={"skills_have": ["I write well"]})
    with pytest.raises(ValidationError, match="unknown fields"):
        Profile(display_name="A", evidence={"salary": ["a lot"]})


def test_rfp_defaults_to_an_open_idea_to_implement() -> None:
    rfp = RFP(owner_id="p1", title="Reproduce a paper", description="Reproduce it.", skills_needed={"code"})
    assert rfp.status == "open"
    assert rfp.mode == "implement_idea"
    assert rfp.skills_needed == {Skill.code}

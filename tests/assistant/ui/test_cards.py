"""How a profile is shown: one function decides how a contract value reads, web and terminal alike."""

from __future__ import annotations

from assistant.ui.cards import card_markdown, contract_rows
from store.domain import Profile


def test_one_function_shows_a_contract_value_on_the_web_card_and_in_the_terminal() -> None:
    profile = Profile(
        id="p_ana", display_name="Ana", project_mode="pitch_idea", seeking={"study_group"}, utc_offset=5.5
    )
    evidence = {"project_mode": ["I have my own idea", "really", "a third quote"]}
    rows = {name: (shown, quotes) for name, shown, quotes in contract_rows(profile, evidence)}
    assert rows["project_mode"] == ("pitch idea", ["I have my own idea", "really"])
    assert rows["seeking"][0] == "study group" and rows["utc_offset"][0] == "UTC+5.5"
    assert rows["hours_per_week"] == ("–", [])
    card = card_markdown(profile, evidence)
    assert "| Project style | pitch idea | “I have my own idea” / “really” |" in card
    assert "| Looking for | study group |" in card

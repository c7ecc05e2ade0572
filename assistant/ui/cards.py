"""How a profile, a suggestion or a search hit is shown: pure functions, no Chainlit.

People's words go into markdown only through ``escape`` (``assistant.conversation.markup``).
"""

from __future__ import annotations

from typing import Any

from assistant.conversation.markup import escape
from store.domain import CONTRACT_FIELDS, Profile, Skill

LABELS = {
    "career_stage": "Career stage",
    "skills_have": "Strong at",
    "skills_want": "Wants to grow",
    "seeking": "Looking for",
    "offering": "Can offer",
    "project_mode": "Project style",
    "topics": "Works on",
    "languages": "Languages",
    "utc_offset": "Time zone",
    "hours_per_week": "Hours a week",
}
AXIS_LABEL = {
    Skill.read: "Read",
    Skill.code: "Code",
    Skill.idea: "Ideas",
    Skill.write: "Write",
    Skill.speak: "Speak",
    Skill.network: "Network",
}


def shown_value(name: str, value: Any) -> str:
    """How one contract value reads on a card, on the web and in the terminal alike:
    "–" when empty, lists joined, "pitch_idea" as "pitch idea", a time zone as "UTC+5.5"."""
    if value in (None, [], ""):
        return "–"
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value)
    if name == "utc_offset":
        return f"UTC{value:+g}"
    return str(value).replace("_", " ")


def contract_rows(profile: Profile, evidence: dict[str, list[str]]) -> list[tuple[str, str, list[str]]]:
    """(field, shown value, up to two supporting quotes) for each contract field, in order."""
    data = profile.contract()
    return [(name, shown_value(name, data[name]), evidence.get(name, [])[:2]) for name in CONTRACT_FIELDS]


def quoted(quotes: list[str]) -> str:
    return " / ".join(f"“{q}”" for q in quotes)


def card_markdown(profile: Profile, evidence: dict[str, list[str]]) -> str:
    """A table of the ten contract fields, each with the person's own words that support it."""
    lines = [f"**{escape(profile.display_name)}**", "", "| | | in your words |", "|---|---|---|"]
    for name, shown, quotes in contract_rows(profile, evidence):
        said = quoted([escape(q) for q in quotes])
        lines.append(f"| {LABELS[name]} | {escape(shown)} | {said} |")
    return "\n".join(lines)


def radar(profile: Profile) -> Any:
    """The six axes: what the person has, and what they want to grow (plotly)."""
    import plotly.graph_objects as go

    axes = list(Skill)
    theta = [AXIS_LABEL[a] for a in axes] + [AXIS_LABEL[axes[0]]]

    def trace(chosen: set[Skill], name: str, colour: str) -> Any:
        r = [1.0 if a in chosen else 0.08 for a in axes]
        return go.Scatterpolar(r=r + r[:1], theta=theta, fill="toself", name=name, line={"color": colour})

    figure = go.Figure(
        [
            trace(set(profile.skills_have), "has", "#2a9d8f"),
            trace(set(profile.skills_want), "wants to grow", "#e76f51"),
        ]
    )
    figure.update_layout(
        polar={"radialaxis": {"visible": False, "range": [0, 1.05]}},
        showlegend=True,
        margin={"l": 30, "r": 30, "t": 30, "b": 30},
        height=320,
    )
    return figure

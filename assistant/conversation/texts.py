"""What Mingle says to people, kept apart from the code that decides when to say it."""

from __future__ import annotations


def welcome(people: int, open_rfps: int, mode: str = "") -> str:
    return f"""**Welcome to Mingle**

Mingle is a mingling space for ML researchers looking for help: collaborators, mentors, people to mentor, compute, feedback or a study group.

We all start from different places. Research asks for six things (**reading, coding, forming ideas, writing, speaking and networking**) and nobody has all of them at 100%. Instead of one recipe, Mingle looks for a *collection*: people whose strengths complement yours, who can help you grow and whom you can help grow.

- **Voluntary and free.** Nobody owes anybody anything; work here should feel like making friends.
- **Gentle.** I'll ask a few short questions about what you work on, what you're good at and what you'd like to develop. Skip any question, or paste a bio instead.
- **Your data.** What you tell me is stored in this Mingle's own database and used only to suggest people and projects. You see your profile and confirm it before it is saved. Your contact details stay private until you *and* the other person both say yes to an introduction. You can export or delete everything at any time.
- **Fair.** Names, schools, countries, gender and how confidently you write never change who is suggested.

Right now {people} people and {open_rfps} open project ideas (RFPs) are here.{(" " + mode) if mode else ""} Type **/help** for what else I can do.

To begin, tell me in a sentence or two (or paste a short bio): **what do you work on, or want to work on?**"""


HELP_TEXT = """Here is what I can do:
- **/profile**: show your profile card
- **/matches**: suggest people and project ideas for you
- **/search** *who you're looking for*: e.g. “/search someone strong at writing who works on diffusion, UTC+1 to +3”
- **/rfps**: project ideas (RFPs) that fit you
- **/intros**: introductions you asked for or were asked for (accept or decline there)
- **/contact** *email or handle*: what is shared once you and someone both say yes
- **/export**: everything Mingle holds about you, as JSON
- **/delete**: remove everything Mingle holds about you: profile, conversations, account, index
You can also just write: corrections (“actually I'm in Lagos”) are always welcome."""

COMMANDS = [
    {
        "id": "profile",
        "icon": "id-card",
        "description": "Show my profile card",
        "button": False,
        "persistent": False,
    },
    {
        "id": "matches",
        "icon": "users",
        "description": "Suggest people for me",
        "button": False,
        "persistent": False,
    },
    {
        "id": "search",
        "icon": "search",
        "description": "Find someone: describe who",
        "button": False,
        "persistent": False,
    },
    {
        "id": "rfps",
        "icon": "lightbulb",
        "description": "Project ideas that fit me",
        "button": False,
        "persistent": False,
    },
    {
        "id": "intros",
        "icon": "handshake",
        "description": "My introductions",
        "button": False,
        "persistent": False,
    },
    {
        "id": "export",
        "icon": "download",
        "description": "Export my data as JSON",
        "button": False,
        "persistent": False,
    },
    {
        "id": "delete",
        "icon": "trash-2",
        "description": "Delete my profile and chats",
        "button": False,
        "persistent": False,
    },
    {
        "id": "help",
        "icon": "circle-help",
        "description": "What can Mingle do?",
        "button": False,
        "persistent": False,
    },
]


def mode_label(llm_model: str | None, auth: str) -> str:
    """Said in the welcome so nobody is misled about who they are talking to."""
    who = (
        f"I use the language model {llm_model} to understand you."
        if llm_model
        else ("I run fully offline: rule-based, no language model.")
    )
    where = (
        " This is a single-user local demo: anyone at this address sees the same data."
        if auth == "none"
        else ""
    )
    return who + where

"""People whose every word is an attack on the page that shows them: images, links, raw HTML,
CSS urls, prefetches, reference links, autolinks, all pointing at ``beacon`` (a URL a test
listens on). Eve is the perfect complement of the newcomers the UI tests create, so she is
suggested; Mallory and Trudy ask the newcomer for an introduction."""

from __future__ import annotations

from store.domain import RFP, Help, Profile, ProjectMode, Skill


def eve(beacon: str) -> Profile:
    return Profile(
        id="p_eve",
        display_name=f"Eve![n]({beacon}/name.png)<img src={beacon}/i.png>",
        contact=(
            f"![c]({beacon}/c.png) <img src={beacon}/c2.png> eve@evil.example "
            f"<link rel=prefetch href={beacon}/p><p style=background:url({beacon}/css.png)>"
        ),
        bio=f"<img src={beacon}/bio.png> ![b]({beacon}/b.png)",
        topics=["diffusion models", f"diffusion quokka![t]({beacon}/topic.png)"],
        career_stage="postdoc",
        skills_have={Skill.code, Skill.network},
        skills_want={Skill.write, Skill.read},
        seeking={Help.feedback, Help.collaboration},
        offering={Help.compute, Help.mentorship, Help.collaboration},
        project_mode=ProjectMode.implement_idea,
        languages={"en"},
        utc_offset=1.0,
        hours_per_week=10,
        intro_capacity=10,
    )


def eves_rfp(beacon: str) -> RFP:
    return RFP(
        id="r_eve",
        owner_id="p_eve",
        title=(
            f"RFP![r]({beacon}/rfp.png) <img src={beacon}/rfp2.png> [x][1] [1]: {beacon}/ref www.evil.example"
        ),
        description=f"![d]({beacon}/description.png)",
        topics=["diffusion models", "medical imaging", "low-dose CT"],
        skills_needed={Skill.write, Skill.read},
        skills_developed={Skill.code, Skill.network},
        mode=ProjectMode.pitch_idea,
        compute_offered=f"GPU![g]({beacon}/gpu.png) <style>*{{background:url({beacon}/css2.png)}}</style>",
        hours_per_week=5,
        capacity=5,
    )


def askers(beacon: str) -> list[Profile]:
    """Two people who ask the newcomer for an introduction (one accepted, one declined)."""
    return [
        _asker("p_mallory", f"Mallory[x]({beacon}/m)![m]({beacon}/m.png)", f"<img src={beacon}/mc.png>"),
        _asker("p_trudy", f"Trudy![t]({beacon}/tr.png) `code` **b**", f"[site]({beacon}/ts)"),
    ]


def _asker(profile_id: str, name: str, contact: str) -> Profile:
    return Profile(
        id=profile_id,
        display_name=name,
        contact=contact,
        topics=["speech recognition"],
        skills_have={Skill.speak},
        languages={"en"},
        utc_offset=0.0,
        hours_per_week=2,
    )

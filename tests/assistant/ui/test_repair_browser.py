"""Conversation repair in a real browser: a newcomer asks what an RFP is in the middle of the
interview, reads the answer, and the interview picks up the question it interrupted; their next
answer is said back and the interview moves on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from .browser import ASSISTANT, answer
from .test_serve import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, running_app, server_log

if TYPE_CHECKING:
    from playwright.sync_api import Page

MESSAGES = '[data-step-type="assistant_message"], [data-step-type="user_message"]'

CAREER_STAGE = "Where are you in your journey"
RFP_ANSWER = "project idea posted by a mentor"
BACK = "Back to my question: where are you in your journey"
STRENGTHS = "Which come most easily to you?"


@pytest.fixture(scope="module")
def repair_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_app(tmp_path_factory.mktemp("repair"), auth="none") as url:
        yield url


def shown(page: Page) -> list[str]:
    """Every message on the page, in order, as a person reads it."""
    return [text.strip() for text in page.locator(MESSAGES).all_inner_texts()]


def show_from(page: Page, said: str) -> None:
    """Scroll the chat so that the newcomer's message ``said`` is at the top: Chainlit keeps the
    newest message at the top, and a screenshot would show only the last exchange."""
    mine = page.locator('[data-step-type="user_message"]').filter(has_text=said).last
    mine.evaluate("(message) => message.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)  # let the scroll settle before the screenshot


def in_order(text: str, *parts: str) -> None:
    """Each part appears in ``text``, after the one before it."""
    at = 0
    for part in parts:
        found = text.find(part, at)
        assert found >= 0, f"{part!r} not found after position {at} in {text!r}"
        at = found + len(part)


@pytest.mark.browser
def test_a_question_mid_interview_is_answered_and_the_interview_resumes(repair_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            page.goto(repair_url)
            expect(page.locator(ASSISTANT).first).to_contain_text("Welcome to Mingle", timeout=30_000)
            answer(page, "i work on speech recognition for yoruba")
            expect(page.locator(ASSISTANT).last).to_contain_text(CAREER_STAGE)

            answer(page, "sorry, what is an rfp?")
            reply = page.locator(ASSISTANT).last
            expect(reply).to_contain_text(RFP_ANSWER)
            in_order(reply.inner_text(), "An RFP", RFP_ANSWER, BACK)
            assert "Got it" not in reply.inner_text()  # the question is not read as an answer
            show_from(page, "i work on speech recognition for yoruba")  # the interrupted question too
            page.screenshot(path=str(ARTIFACTS / "repair-answered.png"), full_page=True)

            answer(page, "masters student")
            resumed = page.locator(ASSISTANT).last
            expect(resumed).to_contain_text(STRENGTHS)
            in_order(resumed.inner_text(), "Got it: you're a master's student", STRENGTHS)
            assert CAREER_STAGE not in resumed.inner_text()  # answered: not asked again
            show_from(page, "sorry, what is an rfp?")
            page.screenshot(path=str(ARTIFACTS / "repair-resumed.png"), full_page=True)

            # the whole exchange, message by message, as the newcomer saw it
            messages = shown(page)
            assert len(messages) == 7, messages
            expected = [
                "Welcome to Mingle",
                "i work on speech recognition for yoruba",
                CAREER_STAGE,
                "sorry, what is an rfp?",
                RFP_ANSWER,
                "masters student",
                STRENGTHS,
            ]
            for message, words in zip(messages, expected, strict=True):
                assert words in message, f"{words!r} is not in {message!r}"
            assert not [m for m in messages if "**" in m], "markdown shown raw"
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- the server said:\n{server_log(repair_url)[-4000:]}") from None
        finally:
            browser.close()

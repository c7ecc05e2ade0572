"""MINGLE_AUTH=password in a real browser: sign-up on first sign-in, chat history, resuming a
thread restores the interview from the store, and another user sees none of it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from .test_serve import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, running_app

if TYPE_CHECKING:
    from playwright.sync_api import Page

ASSISTANT = '[data-step-type="assistant_message"]'


@pytest.fixture(scope="module")
def auth_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_app(tmp_path_factory.mktemp("auth"), auth="password") as url:
        yield url


def sign_in(page: Page, url: str, name: str, password: str) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    page.get_by_label("Email address").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    expect(page.locator(ASSISTANT).first).to_contain_text("Welcome to Mingle", timeout=30_000)


def answer(page: Page, text: str) -> None:
    from playwright.sync_api import expect

    count = page.locator(ASSISTANT).count()
    page.locator("#chat-input").fill(text)
    expect(page.locator("#chat-submit")).to_be_enabled(timeout=30_000)  # no task still running
    page.keyboard.press("Enter")
    expect(page.locator(ASSISTANT)).to_have_count(count + 1, timeout=30_000)


@pytest.mark.browser
def test_sign_in_chat_history_resume_and_isolation(auth_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        amara = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(amara, auth_url, "amara", "correct horse battery")
        answer(amara, "I work on speech recognition for Igbo.")
        answer(amara, "I'm a PhD student.")
        expect(amara.locator(ASSISTANT).last).to_contain_text("come most easily")

        amara.goto(auth_url)  # a new chat; the old one is in the history
        expect(amara.locator(ASSISTANT).first).to_contain_text("Welcome to Mingle", timeout=30_000)
        thread = amara.get_by_text("I work on speech recognition for Igbo.").first
        if not thread.is_visible():
            amara.get_by_role("button", name="Open sidebar").click()
        expect(thread).to_be_visible(timeout=15_000)
        thread.click()
        expect(amara.locator('[data-step-type="user_message"]').last).to_contain_text(
            "PhD student", timeout=15_000
        )
        amara.screenshot(path=str(ARTIFACTS / "auth-resumed-thread.png"), full_page=True)
        answer(amara, "I write well.")
        # the interview goes on from the stored transcript: the next slot, not the first question
        expect(amara.locator(ASSISTANT).last).to_contain_text("which of those would you like to grow")

        wrong = browser.new_context().new_page()
        wrong.goto(auth_url)
        wrong.get_by_label("Email address").fill("amara")
        wrong.get_by_label("Password").fill("not the password")
        wrong.get_by_role("button", name="Sign In").click()
        # Chainlit's /login answers 401 and the form shows its error; the person stays on /login
        expect(wrong.get_by_text("Unable to sign in")).to_be_visible(timeout=15_000)
        expect(wrong).to_have_url(re.compile(r"/login"))
        expect(wrong.locator(ASSISTANT)).to_have_count(0)
        wrong.screenshot(path=str(ARTIFACTS / "auth-wrong-password.png"), full_page=True)

        other = browser.new_context().new_page()
        sign_in(other, auth_url, "kenji", "another long password")
        sidebar = other.get_by_role("button", name="Open sidebar")
        if sidebar.count():
            sidebar.click()
        expect(other.get_by_text("I work on speech recognition for Igbo.")).to_have_count(0)
        other.screenshot(path=str(ARTIFACTS / "auth-other-user.png"), full_page=True)
        browser.close()

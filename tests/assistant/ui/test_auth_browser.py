"""MINGLE_AUTH=password on a real server: a newcomer signs up through the link on the sign-in
page, signing in never creates an account (``github:victim`` gets no session), attempts are
limited, chat history, resuming a thread restores the interview from the store, and another user
sees none of it."""

from __future__ import annotations

import http.client
import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from assistant.services import open_store
from assistant.settings import load_settings
from assistant.ui.web import TOO_MANY

from .browser import ASSISTANT, answer
from .test_serve import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, running_app

if TYPE_CHECKING:
    from playwright.sync_api import Page


@pytest.fixture(scope="module")
def auth_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The served app's URL and its data dir."""
    folder = tmp_path_factory.mktemp("auth")
    with running_app(folder, auth="password") as url:
        yield url, folder / "data"


@pytest.fixture(scope="module")
def auth_url(auth_app: tuple[str, Path]) -> str:
    return auth_app[0]


def post_form(url: str, path: str, form: dict[str, str], source: str = "127.0.0.1") -> tuple[int, str, str]:
    """POST a form from the loopback address ``source`` (each test its own client budget);
    returns the status, the body and any Set-Cookie header."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(
        parts.hostname or "127.0.0.1", parts.port, timeout=30, source_address=(source, 0)
    )
    body = urllib.parse.urlencode(form)
    connection.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    result = response.status, response.read().decode(), response.getheader("set-cookie") or ""
    connection.close()
    return result


def sign_up(page: Page, url: str, name: str, password: str) -> None:
    """What a newcomer does: the sign-in page, its "Create an account" link, the form, the chat."""
    from playwright.sync_api import expect

    page.goto(url)
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password again").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(ASSISTANT).first).to_contain_text("Welcome to Mingle", timeout=30_000)


def sign_in(page: Page, url: str, name: str, password: str) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    page.get_by_label("Account name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    expect(page.locator(ASSISTANT).first).to_contain_text("Welcome to Mingle", timeout=30_000)


@pytest.mark.browser
def test_sign_in_chat_history_resume_and_isolation(auth_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        amara = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_up(amara, auth_url, "amara", "correct horse battery")
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
        wrong.get_by_label("Account name").fill("amara")
        wrong.get_by_label("Password").fill("not the password")
        wrong.get_by_role("button", name="Sign In").click()
        # Chainlit's /login answers 401 and the form shows its error; the person stays on /login
        expect(wrong.get_by_text("Unable to sign in")).to_be_visible(timeout=15_000)
        expect(wrong).to_have_url(re.compile(r"/login"))
        expect(wrong.locator(ASSISTANT)).to_have_count(0)
        wrong.screenshot(path=str(ARTIFACTS / "auth-wrong-password.png"), full_page=True)

        other = browser.new_context().new_page()
        sign_up(other, auth_url, "kenji", "another long password")
        sidebar = other.get_by_role("button", name="Open sidebar")
        if sidebar.count():
            sidebar.click()
        expect(other.get_by_text("I work on speech recognition for Igbo.")).to_have_count(0)
        other.screenshot(path=str(ARTIFACTS / "auth-other-user.png"), full_page=True)
        browser.close()


@pytest.mark.browser
def test_a_newcomer_signs_up_through_the_link_and_chats(auth_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(auth_url)
        expect(page).to_have_url(re.compile(r"/login"), timeout=30_000)
        link = page.get_by_role("link", name="Create an account")
        expect(link).to_be_visible(timeout=15_000)
        page.screenshot(path=str(ARTIFACTS / "auth-sign-in-with-sign-up-link.png"), full_page=True)
        link.click()
        # the form says what is wrong, in one sentence, and creates nothing
        page.get_by_label("Name").fill("github:newcomer")
        page.get_by_label("Password", exact=True).fill("a long enough password")
        page.get_by_label("Password again").fill("a long enough password")
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("alert")).to_contain_text("A name cannot contain ':'", timeout=15_000)
        page.get_by_label("Name").fill("noor")
        page.get_by_label("Password again").fill("a different password")
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("alert")).to_contain_text("The two passwords differ")
        page.get_by_label("Password again").fill("a long enough password")
        page.screenshot(path=str(ARTIFACTS / "auth-sign-up.png"), full_page=True)
        page.get_by_role("button", name="Create account").click()
        expect(page.locator(ASSISTANT).first).to_contain_text("Welcome to Mingle", timeout=30_000)
        answer(page, "I work on graph neural networks for chemistry.")
        expect(page.locator(ASSISTANT).last).to_contain_text("Where are you in your journey")

        typo = browser.new_context().new_page()  # a mistyped name: plainly refused, nothing created
        typo.goto(auth_url)
        typo.get_by_label("Account name").fill("nour")
        typo.get_by_label("Password").fill("a long enough password")
        typo.get_by_role("button", name="Sign In").click()
        expect(typo.get_by_text("no account has this name and password")).to_be_visible(timeout=15_000)
        expect(typo.locator(ASSISTANT)).to_have_count(0)
        typo.screenshot(path=str(ARTIFACTS / "auth-unknown-name.png"), full_page=True)
        browser.close()


@pytest.mark.slow
def test_signing_in_as_an_oauth_identifier_gets_no_session(auth_app: tuple[str, Path]) -> None:
    """The takeover: OAuth people are "github:<login>"; signing in with that name used to create it."""
    url, data = auth_app
    for name in ("github:victim", "google:victim@example.org", "victim-who-never-signed-up"):
        status, body, cookie = post_form(url, "/login", {"username": name, "password": "any long password"})
        assert (status, cookie) == (401, ""), body
    status, body, _ = post_form(
        url,
        "/signup",
        {"username": "github:victim", "password": "any long password", "repeat": "any long password"},
    )
    assert status == 400 and "cannot contain ':'" in json.loads(body)["detail"]
    store = open_store(load_settings(data_dir=data))
    try:
        for name in ("github:victim", "google:victim@example.org", "victim-who-never-signed-up"):
            assert store.accounts.provider(name) is None
    finally:
        store.dispose()


@pytest.mark.slow
def test_sign_in_attempts_are_limited_per_name_and_per_client(auth_url: str) -> None:
    wrong = {"username": "rate-limited", "password": "not the password"}
    statuses = [post_form(auth_url, "/login", wrong, source="127.0.0.2")[0] for _ in range(5)]
    assert statuses == [401] * 5
    status, body, cookie = post_form(auth_url, "/login", wrong, source="127.0.0.3")  # another client
    assert (status, json.loads(body), cookie) == (429, {"detail": TOO_MANY}, "")  # the name's budget is spent

    names = [{"username": f"guess-{n}", "password": "not the password"} for n in range(21)]
    statuses = [post_form(auth_url, "/login", form, source="127.0.0.4")[0] for form in names]
    assert statuses == [401] * 20 + [429]
    assert post_form(auth_url, "/login", names[0], source="127.0.0.5")[0] == 401  # other clients still try

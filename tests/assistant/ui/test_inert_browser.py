"""Markdown injection in a real browser: people whose names, topics, contacts and RFP carry
images, raw HTML, CSS urls, prefetches, reference links and autolinks pointing at a "beacon"
(an HTTP server this test starts on 127.0.0.1) are shown to a newcomer in suggestions, "more
like this", search results, introductions and the newcomer's own card. The beacon must receive
nothing (no IP, no time, no click needed), no link or image may appear, and every payload must
read literally, without a stray backslash."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from assistant.conversation.intros import IntroService
from assistant.conversation.markup import JOINER
from store.db import make_engine, upgrade
from store.domain import IntroRequest
from store.repositories import Store
from tests.assistant.ui.hostile import askers, eve, eves_rfp

from .test_serve import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, INTAKE, running_app

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

ASSISTANT = '[data-step-type="assistant_message"]'
MESSAGES = '[data-step-type="assistant_message"], [data-step-type="user_message"]'


class Beacon(http.server.ThreadingHTTPServer):
    """Records every request it receives; answers each with an empty 200."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        super().__init__(("127.0.0.1", 0), _Record)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Record(http.server.BaseHTTPRequestHandler):
    server: Beacon

    def _answer(self) -> None:
        self.server.hits.append(f"{self.command} {self.path}")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_OPTIONS(self) -> None:
        self._answer()

    def log_message(self, *args: object) -> None:  # quiet: the test reads ``hits``
        return None


@pytest.fixture(scope="module")
def beacon() -> Iterator[Beacon]:
    server = Beacon()
    thread = threading.Thread(target=server.serve_forever, name="beacon", daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory, beacon: Beacon) -> Iterator[tuple[str, Store]]:
    """The demo community plus Eve, her RFP, Mallory and Trudy, served by `mingle serve`."""
    data = tmp_path_factory.mktemp("hostile")
    (data / "data").mkdir()
    store = Store(make_engine(f"sqlite:///{data / 'data' / 'mingle.db'}"))
    upgrade(store.engine)
    for person in [eve(beacon.url), *askers(beacon.url)]:
        store.profiles.upsert(person)
    store.rfps.add_many([eves_rfp(beacon.url)])
    try:
        with running_app(data) as url:  # seeds the demo community and indexes everyone
            yield url, store
    finally:
        store.dispose()


def _send(page: Page, text: str) -> None:
    """Type a message; wait until Mingle has answered it (one more assistant message)."""
    from playwright.sync_api import expect

    count = page.locator(ASSISTANT).count()
    page.locator("#chat-input").fill(text)
    expect(page.locator("#chat-submit")).to_be_enabled(timeout=30_000)  # no task still running
    page.keyboard.press("Enter")
    if text.startswith("/"):  # the first Enter picks the command from Chainlit's menu, the second sends
        page.wait_for_timeout(300)
        page.keyboard.press("Enter")
    _settle(page, count)


def _settle(page: Page, before: int) -> None:
    """Wait until Mingle has answered: more assistant messages than ``before``, and no new
    one for 0.7 s (suggestions and search results come as several messages)."""
    deadline, seen, still_since = time.monotonic() + 30, before, time.monotonic()
    while time.monotonic() < deadline:
        now = page.locator(ASSISTANT).count()
        if now != seen:
            seen, still_since = now, time.monotonic()
        elif now > before and time.monotonic() - still_since > 0.7:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"no answer within 30 s ({before} assistant messages before, {seen} now)")


def _read(locator: Locator) -> str:
    """What a person reads: the rendered text, invisible word joiners removed."""
    return "\n".join(locator.all_inner_texts()).replace(JOINER, "")


def _message_with(page: Page, words: str) -> Locator:
    from playwright.sync_api import expect

    found = page.locator(ASSISTANT).filter(has_text=words.split("(")[0]).last
    expect(found).to_be_visible(timeout=30_000)
    return found


@pytest.mark.browser
def test_hostile_profiles_reach_no_beacon_and_read_literally(
    hostile_app: tuple[str, Store], beacon: Beacon
) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, store = hostile_app
    b = beacon.url
    mallory, trudy = askers(b)
    ARTIFACTS.mkdir(exist_ok=True)
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.on("request", lambda request: requested.append(request.url))
        page.goto(url)
        expect(page.locator(ASSISTANT).first).to_contain_text("Welcome to Mingle", timeout=30_000)

        own_words = (  # quoted whole on the card, as the evidence for the topics
            f"I work on diffusion models for medical imaging ![me]({b}/self.png) <img src={b}/self2.png>, "
            "mostly low-dose CT."
        )
        for answer in [own_words, *INTAKE[1:]]:
            _send(page, answer)
            if page.get_by_text("Does this look right?").count():
                break
        card = page.locator(ASSISTANT).last
        expect(card).to_contain_text("in your words")
        assert own_words in _read(card)  # the newcomer's own words on their card, literally
        page.screenshot(path=str(ARTIFACTS / "inert-card.png"), full_page=True)

        page.get_by_role("button", name="Looks right: save").click()
        expect(page.get_by_role("button", name="Request intro").first).to_be_visible(timeout=180_000)
        suggestion = (
            page.locator(ASSISTANT)
            .filter(has_text=eve(b).display_name.split("(")[0])
            .filter(has=page.get_by_role("button", name="Request intro"))
            .first
        )
        expect(suggestion).to_be_visible()
        assert f"{eve(b).display_name} codes well" in _read(suggestion)
        assert eve(b).topics[1] in _read(suggestion)  # "you both work on …"
        suggestion.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "inert-suggestions.png"), full_page=False)

        suggestion.get_by_role("button", name="Request intro").click()
        _message_with(page, f"I've asked {eve(b).display_name}")
        suggestion.get_by_role("button", name="More like this").click()
        _message_with(page, f"People similar to {eve(b).display_name}")
        _send(page, "find quokka diffusion")
        hit = (  # a search result: "More like this", no "Request intro"
            page.locator(ASSISTANT)
            .filter(has_text=eve(b).display_name.split("(")[0])
            .filter(has=page.get_by_role("button", name="More like this"))
            .filter(has_not=page.get_by_role("button", name="Request intro"))
            .last
        )
        expect(hit).to_be_visible()
        assert f"{eve(b).display_name}: {eve(b).display_name} works on" in _read(hit)

        hostile = {eve(b).id, mallory.id, trudy.id}
        newcomer = next(p for p in store.profiles.list() if p.source == "intake" and p.id not in hostile)
        [asked_eve] = store.intros.involving(eve(b).id)
        IntroService(store).accept(asked_eve.id, eve(b).id)
        for asker in (mallory, trudy):
            store.intros.add(IntroRequest(requester_id=asker.id, target_id=newcomer.id))
        _send(page, "/intros")
        expect(page.locator(ASSISTANT).last).to_be_visible()
        listed = _message_with(page, eve(b).display_name)
        assert f"Contact: {eve(b).contact}" in _read(listed)
        _message_with(page, mallory.display_name).get_by_role("button", name="Accept").click()
        answered = _message_with(page, "Wonderful: you and")
        assert f"you and {mallory.display_name} are introduced. Their contact: {mallory.contact}" in _read(
            answered
        )
        _message_with(page, trudy.display_name).get_by_role("button", name="Decline").click()
        _message_with(page, f"Understood. {trudy.display_name}").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "inert-intros.png"))
        _send(page, "/rfps")
        rfp = _message_with(page, f"RFP: {eves_rfp(b).title}")
        assert f"RFP: {eves_rfp(b).title}: " in _read(rfp)
        assert f"It comes with compute: {eves_rfp(b).compute_offered}." in _read(rfp)
        rfp.scroll_into_view_if_needed()
        page.wait_for_timeout(1_500)  # anything lazy (images, prefetches) has had its chance
        page.screenshot(path=str(ARTIFACTS / "inert-rfps.png"))

        messages = page.locator(MESSAGES)
        shown = _read(messages)
        for attack in ("link", "iframe", "object", "embed", "script", "video", "audio"):
            assert messages.locator(attack).count() == 0, f"a <{attack}> element in a message"
        # the only links are plotly's own (its logo on the card's chart), the only images
        # Chainlit's avatars, from the app itself
        links = messages.locator("a[href]").evaluate_all(
            "(links) => links.filter((a) => !a.closest('.js-plotly-plot')).map((a) => a.href)"
        )
        assert links == []
        sources = messages.locator("img").evaluate_all("(images) => images.map((i) => i.src)")
        assert [s for s in sources if not s.startswith(url + "/")] == []
        styled = messages.locator("[style]").evaluate_all(
            "(nodes) => nodes.map((n) => n.getAttribute('style'))"
        )
        assert [s for s in styled if "url(" in s] == []
        browser.close()

    assert beacon.hits == [], f"the beacon was reached: {beacon.hits}"
    assert [r for r in requested if r.startswith(b) or "evil.example" in r] == []
    for said in (
        eve(b).display_name,
        eve(b).topics[1],
        mallory.display_name,
        f"Understood. {trudy.display_name} won't be told it was a no.",
        own_words,
    ):
        assert said in shown, f"{said!r} is not shown literally"
    assert "\\" not in shown, "a stray backslash on the page"

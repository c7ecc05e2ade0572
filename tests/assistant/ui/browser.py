"""What the browser tests share: where Chainlit puts each message, and sending one."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

ASSISTANT = '[data-step-type="assistant_message"]'


def answer(page: Page, text: str) -> None:
    """Type a message as a person does; wait for exactly one more assistant message."""
    from playwright.sync_api import expect

    count = page.locator(ASSISTANT).count()
    page.locator("#chat-input").fill(text)
    expect(page.locator("#chat-submit")).to_be_enabled(timeout=30_000)  # no task still running
    page.keyboard.press("Enter")
    expect(page.locator(ASSISTANT)).to_have_count(count + 1, timeout=30_000)

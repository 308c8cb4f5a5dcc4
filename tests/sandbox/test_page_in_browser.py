"""The sandbox's page in a real browser: headless Chromium from Debian's packages (chromium,
chromium-driver), driven by Selenium through chromedriver, against `python -m bot sandbox`
started as a newcomer starts it. Everything a person does here is a click or keys typed
into the page; every wait is for something the page draws (an explicit wait, no sleeps).

Without /usr/bin/chromium these tests are skipped, except in CI (CI set, as .ci/run sets
it), where they fail: .ci/run installs Chromium first.
"""

from __future__ import annotations

import os
import re
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from sandbox import world
from tests.sandbox.test_sandbox import ROOT, START_SECONDS, _environment

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# The bot paces its sends to a group (20 a minute, as Telegram), and the machine may be
# loaded: what the bot answers is waited for this long.
ANSWER_SECONDS = 30.0
# The size the README's screenshot is taken at.
WINDOW = (1400, 900)
# Renewed with UPDATE_SCREENSHOT=1: otherwise the picture (its times change at each run)
# goes to the test's own folder, and a test run leaves the checkout as it found it.
SCREENSHOT = ROOT / "docs" / "images" / "sandbox.png"

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()) and not os.environ.get("CI"):
    pytest.skip(
        "Chromium is not installed: apt-get install chromium chromium-driver "
        "(.ci/run installs them itself)",
        allow_module_level=True,
    )

ADA, LUCIA, SAM = world.READERS
MODERATOR = world.MODERATORS[0]


@dataclass
class RunningSandbox:
    url: str
    seconds_to_start: float
    output: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """`python -m bot sandbox --port 0` in a folder of its own, for this module's tests
    (each uses its own readers and articles); what it prints is read on a thread, so that
    the browser's waits never hold the sandbox up."""
    began = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "sandbox", "--port", "0"],
        cwd=tmp_path_factory.mktemp("sandbox"),
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    urls: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            found = re.search(r"Sandbox ready in [\d.]+ s: open (http://127\.0\.0\.1:\d+)", line)
            if found:
                urls.append(found[1])
                ready.set()
        ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(START_SECONDS) and urls, f"the sandbox did not start: {output}"
        running = RunningSandbox(urls[0], time.monotonic() - began, output)
        print(f"the sandbox was ready {running.seconds_to_start:.2f} s after it was started")
        yield running
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(START_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(START_SECONDS)
        assert process.stdout is not None
        process.stdout.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    """Headless Chromium with a new profile, and nothing that reaches for the internet
    (this machine's network is closed: background networking would be refused, loudly)."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    # The driver given outright: Selenium Manager never looks for (or downloads) one.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    # The page's own size, whatever the window's frame takes: the screenshot's size.
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WINDOW[0], "height": WINDOW[1], "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        yield driver
    finally:
        driver.quit()


class Page:
    """The sandbox's page as a person uses it, by its data- hooks (sandbox/page/index.html)."""

    def __init__(self, driver: webdriver.Chrome, url: str) -> None:
        self.driver = driver
        self.driver.get(url)
        self.wait_for('#connection[data-connection="live"]')

    def wait_for(self, css: str, text: str | None = None) -> WebElement:
        """The first element matching `css` (holding `text`, if given) once it is drawn."""

        def found(driver: webdriver.Chrome) -> WebElement | None:
            for element in driver.find_elements(By.CSS_SELECTOR, css):
                try:
                    if text is None or text in element.text:
                        return element
                except StaleElementReferenceException:
                    return None
            return None

        try:
            element = WebDriverWait(self.driver, ANSWER_SECONDS).until(found)
        except TimeoutException:
            shown = [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, css)]
            raise AssertionError(f"never drawn: {css} with {text!r}; shown: {shown}") from None
        assert element is not None
        return element

    def _again_if_redrawn(self, what: str, action: Callable[[], None]) -> None:
        """The action once more if the panel it was in was drawn again under it (the bot
        answered there meanwhile): a person would look again and do the same."""
        for _ in range(5):
            try:
                action()
                return
            except StaleElementReferenceException:
                continue
        raise AssertionError(f"{what} kept being drawn again")

    def click(self, css: str, text: str | None = None) -> None:
        self._again_if_redrawn(css, lambda: self.wait_for(css, text).click())

    def write_as(self, chat_id: int, person_id: int) -> None:
        """Who writes (or reads, or taps) in a panel that lets one choose."""
        css = f'section[data-chat="{chat_id}"] > [data-composer] [data-as]'
        self._again_if_redrawn(
            css, lambda: Select(self.wait_for(css)).select_by_value(str(person_id))
        )

    def write(self, chat_id: int, text: str) -> None:
        """Types `text` into the chat's composer (Shift+Enter between its lines) and
        sends it with Enter."""
        css = f'section[data-chat="{chat_id}"] > [data-composer] [data-input]'
        lines = text.split("\n")
        keys = [lines[0]]
        for line in lines[1:]:
            keys += [Keys.SHIFT, Keys.ENTER, Keys.NULL, line]

        def type_and_send() -> None:
            box = self.wait_for(css)
            # What a redraw left half-typed goes first.
            box.send_keys(Keys.CONTROL, "a", Keys.NULL, Keys.DELETE)
            box.send_keys(*keys)
            box.send_keys(Keys.ENTER)

        self._again_if_redrawn(css, type_and_send)

    def bot_said(self, chat_id: int, text: str) -> WebElement:
        return self.wait_for(f'section[data-chat="{chat_id}"] [data-from-bot="true"]', text)


def post_article(page: Page, url: str, title: str, summary: str) -> str:
    """The admin's /post through their chat on the page; returns the channel post's id."""
    page.write(world.ADMIN.id, f"/post {url}\n{title}\n{summary}")
    page.bot_said(world.ADMIN.id, "Posted article #")
    post = page.wait_for(f'section[data-chat="{world.CHANNEL_ID}"] [data-message-id]', title)
    message_id = post.get_attribute("data-message-id")
    assert message_id is not None
    return message_id


def comment_from_the_link(page: Page, reader: world.Person, post_id: str, text: str) -> None:
    """The reader taps the post's comment link in the channel, then writes in the bot's
    chat that opens; the bot's first answer is waited for before writing."""
    page.write_as(world.CHANNEL_ID, reader.id)
    channel = f'section[data-chat="{world.CHANNEL_ID}"]'
    page.click(f'{channel} [data-message-id="{post_id}"] [data-url*="?start="]')
    page.wait_for(f'section[data-chat="{reader.id}"] [data-message-id]', "/start ")
    page.wait_for(f'section[data-chat="{reader.id}"] [data-from-bot="true"]')
    page.write(reader.id, text)


def approve(page: Page, comment: str) -> None:
    """A moderator taps ✅ Approve on the comment's card in the moderation group."""
    moderation = f'section[data-chat="{world.MODERATION_CHAT_ID}"]'
    card = page.bot_said(world.MODERATION_CHAT_ID, comment)
    card_id = card.get_attribute("data-message-id")
    page.write_as(world.MODERATION_CHAT_ID, MODERATOR.id)
    page.click(f'{moderation} [data-message-id="{card_id}"] [data-button^="mod:v1:approve:"]')


def test_the_page_loads_and_its_event_stream_connects(
    sandbox: RunningSandbox, browser: webdriver.Chrome
) -> None:
    """Live, with a panel for the channel, the moderation group, the discussion group and
    each person's private chat with the bot, and the refused calls."""
    page = Page(browser, sandbox.url)
    for chat_id in (world.CHANNEL_ID, world.MODERATION_CHAT_ID, world.DISCUSSION_CHAT_ID):
        page.wait_for(f'section[data-chat="{chat_id}"]')
    for person in world.PEOPLE:
        page.wait_for(f'section[data-chat="{person.id}"]', person.name)
    page.wait_for("#refused", "Refused calls")
    assert browser.title == "Newsroom sandbox"


def test_a_new_sandbox_starts_with_nothing_refused(
    sandbox: RunningSandbox, browser: webdriver.Chrome
) -> None:
    """The admin has opened the bot's chat, as the set-up guide has them do: the bot's
    first word to them (the feed it read) reaches them, and nothing is refused."""
    page = Page(browser, sandbox.url)
    page.bot_said(world.ADMIN.id, "existing entries recorded")
    page.wait_for("#refused", "None so far")


def test_an_article_posted_commented_and_approved_shows_in_its_thread(
    sandbox: RunningSandbox, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    """The admin posts; Ada opens the post's link, comments and hears it was received; a
    moderator approves on the card; the comment shows in the post's thread on the page.
    The page as it then looks is the README's screenshot (docs/images/sandbox.png)."""
    page = Page(browser, sandbox.url)
    post_id = post_article(
        page,
        "https://blog.example/2026/12/tram",
        "The tram line opens on Monday",
        "Ten stops from the station to the university.",
    )
    comment = "Finally! Will it run on Sundays?"
    comment_from_the_link(page, ADA, post_id, comment)
    page.bot_said(ADA.id, "received")
    approve(page, comment)
    page.bot_said(world.MODERATION_CHAT_ID, "Approved")
    page.click(f'[data-thread-toggle="{post_id}"]', "1 comment")
    assert page.wait_for(f'[data-thread-toggle="{post_id}"]').text == "▾ 1 comment"
    page.wait_for(f'[data-thread="{post_id}"] [data-message-id]', comment)
    browser.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")
    picture = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOT") else tmp_path / "sandbox.png"
    assert browser.save_screenshot(str(picture))
    assert picture.read_bytes()[16:24] == struct.pack(">II", *WINDOW)


def test_what_someone_is_typing_survives_what_happens_elsewhere(
    sandbox: RunningSandbox, browser: webdriver.Chrome
) -> None:
    """Half a message typed in Nina's chat, when the admin writes (from another tab) and the
    bot answers in another panel: Nina's composer is the same element, with her words and
    the focus."""
    page = Page(browser, sandbox.url)
    nina = world.MODERATORS[1]
    box = page.wait_for(f'section[data-chat="{nina.id}"] > [data-composer] [data-input]')
    box.send_keys("Half a thought")
    elsewhere = httpx.post(
        f"{sandbox.url}/api/send",
        json={"user_id": world.ADMIN.id, "chat_id": world.ADMIN.id, "text": "/help"},
    )
    assert elsewhere.status_code == 200, elsewhere.text
    page.bot_said(world.ADMIN.id, "How to comment")
    assert box.get_attribute("value") == "Half a thought"
    assert browser.switch_to.active_element == box


def test_the_spanish_reader_is_answered_in_spanish(
    sandbox: RunningSandbox, browser: webdriver.Chrome
) -> None:
    """Lucía's app is in Spanish: opening the post's link and commenting, she is answered
    in Spanish all the way."""
    page = Page(browser, sandbox.url)
    post_id = post_article(
        page,
        "https://blog.example/2026/12/library",
        "The library stays open late",
        "Until 10 p.m. on weekdays.",
    )
    comment_from_the_link(page, LUCIA, post_id, "¡Por fin! ¿También los sábados?")
    page.bot_said(LUCIA.id, "Recibimos tu comentario")


def test_a_call_telegram_refuses_is_shown(
    sandbox: RunningSandbox, browser: webdriver.Chrome
) -> None:
    """Sam comments, then blocks the bot; approved, his comment is published, and the
    bot's message telling him so is refused (403), as Telegram refuses it: the page lists
    the refused call with Telegram's reason."""
    page = Page(browser, sandbox.url)
    post_id = post_article(
        page,
        "https://blog.example/2026/12/bridge",
        "The old bridge closes for repairs",
        "From January to March; a ferry runs meanwhile.",
    )
    comment = "The ferry is a nice touch."
    comment_from_the_link(page, SAM, post_id, comment)
    page.bot_said(SAM.id, "received")
    page.click(f'[data-block="{SAM.id}"]')
    page.wait_for(f'section[data-chat="{SAM.id}"] header', "blocked the bot")
    approve(page, comment)
    refused = page.wait_for('#refused [data-refused-method="sendMessage"]', f"chat {SAM.id}")
    assert "403 Forbidden: bot was blocked by the user" in refused.text

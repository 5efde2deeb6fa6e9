"""E-mail that reaches a capital: on a server of its own that sends through a real SMTP server
(aiosmtpd on loopback, in this process), the Philippines reply to Germany's comment; Germany's
immediate e-mail arrives with a link that opens the reply highlighted on the paper's page, and its
unsubscribe link stops replies by e-mail in one click. A second account's daily digest holds the
day's papers and nothing from a room it has left since."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import time
from datetime import UTC, datetime
from email import message_from_bytes
from email import policy as email_policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from tests.browser.conftest import ROOT, _consult_command, demo_email, serve
from tests.browser.test_papers import (
    PARAGRAPHS,
    issue_paper,
    markdown_of,
    open_comments,
    post_comment,
    unique,
    write_comment,
)
from tests.browser.test_papers_commenting import _reply_in

pytestmark = [pytest.mark.reach, pytest.mark.browser]


class Inbox:
    def __init__(self):
        self.messages = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 OK"

    def wait_for(self, to: str, subject: str, timeout: float = 20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if message["To"] == to and subject in message["Subject"]:
                    return message
            time.sleep(0.2)
        seen = [(m["To"], m["Subject"]) for m in self.messages]
        raise AssertionError(f"no mail to {to} about {subject!r}; seen: {seen}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def inbox() -> Inbox:
    return Inbox()


SECRET = secrets.token_hex(32)  # the server's key, also given to the commands run beside it


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, inbox):
    """This module's own server, sending through the SMTP server above (the sender job of
    `consult serve`, as in production)."""
    port = inbox.port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield from serve(
            tmp_path_factory,
            {
                "CONSULT_MAIL_BACKEND": "smtp",
                "CONSULT_SMTP_HOST": "127.0.0.1",
                "CONSULT_SMTP_PORT": str(port),
                "CONSULT_SMTP_STARTTLS": "0",
                "CONSULT_SECRET_KEY": SECRET,
            },
        )
    finally:
        controller.stop()


def test_germanys_reply_mail_arrives_and_opens_the_reply(signed_in, axe, inbox, live_server):
    title = unique("Mail to capitals")
    chair = signed_in("chair.wgeti")
    paper_id = issue_paper(chair, "wgeti", title, markdown_of(title, PARAGRAPHS))

    germany = signed_in("delegate.germany")
    germany.goto(f"/papers/{paper_id}")
    thread = open_comments(germany, 2)
    comment = f"Germany asks for annual reports ({unique('c')})."
    write_comment(germany, thread, 2, comment)
    post_comment(germany, thread)
    expect(thread.locator("li.comment", has_text=comment)).to_be_visible()

    philippines = signed_in("delegate.philippines")
    philippines.goto(f"/papers/{paper_id}")
    thread = open_comments(philippines, 2)
    answer = f"The Philippines agree on annual reports ({unique('r')})."
    _reply_in(philippines, thread.locator("li.comment", has_text=comment).first, answer)

    message = inbox.wait_for(demo_email("delegate.germany"), f"replied to your comment on {title}")
    body = message.get_content()
    assert "Replies to it are not read and post nothing" in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.search(r"http://127\.0\.0\.1:\d+(/papers/\S+)", body).group(1)
    germany.goto(link)
    expect(germany).to_have_url(re.compile(rf"/papers/{paper_id}/p/\w+#comment-\d+$"))
    landed = germany.locator("li.comment.landed")  # the reply itself, highlighted, focused
    expect(landed).to_have_count(1)
    expect(landed).to_contain_text(answer)
    expect(landed).to_be_focused()

    # One click in the mail stops replies by e-mail; the page says so and how to undo it.
    unsubscribe = re.search(r"<(http[^>]+)>", message["List-Unsubscribe"]).group(1)
    germany.goto(unsubscribe)
    germany.get_by_role("button", name="Stop these e-mails").click()
    expect(germany.get_by_role("heading", name="E-mails stopped")).to_be_visible()
    germany.get_by_role("link", name="Change your e-mail settings").click()
    never = germany.get_by_role("radio", name="Someone replied to my comment on a paper: Never")
    expect(never).to_be_checked()
    axe(germany, "the e-mail settings")


def _consult(live_server, inbox: Inbox, *args: str) -> str:
    """A command on the server's own database, as cron would run it beside the server."""
    env = {
        **os.environ,
        "CONSULT_DATABASE_URL": f"sqlite:///{live_server.log_path.parent / 'consult.db'}",
        "CONSULT_SECRET_KEY": SECRET,
        "CONSULT_MAIL_BACKEND": "smtp",
        "CONSULT_SMTP_HOST": "127.0.0.1",
        "CONSULT_SMTP_PORT": str(inbox.port),
        "CONSULT_SMTP_STARTTLS": "0",
        "CONSULT_PUBLIC_URL": live_server.base_url,
    }
    env.pop("CONSULT_MESSAGE_QUEUE", None)
    done = subprocess.run(
        _consult_command() + list(args),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _morning_zone() -> str:
    """A time zone where it is now past 07:00 (the digest's hour) and before midnight."""
    for zone in (
        "Europe/Zurich",
        "Asia/Tokyo",
        "America/New_York",
        "Pacific/Honolulu",
        "Asia/Kolkata",
        "Pacific/Kiritimati",
        "America/Los_Angeles",
    ):
        if 8 <= datetime.now(UTC).astimezone(ZoneInfo(zone)).hour <= 23:
            return zone
    raise AssertionError("no zone in the list is between 08:00 and 23:59 now")


def _members_row(page, delegation: str):
    return page.locator("#members ul.members > li").filter(
        has=page.locator(".delegation", has_text=delegation)
    )


def test_a_daily_digest_holds_the_days_papers_and_nothing_from_a_room_left(
    signed_in, inbox, live_server
):
    # The Philippines' delegate reads e-mail in the morning of a zone where it is morning now.
    philippines = signed_in("delegate.philippines")
    philippines.goto("/profile")
    philippines.get_by_label("Time zone", exact=True).select_option(_morning_zone())
    philippines.get_by_role("button", name="Save details").click()

    # The President adds the Philippines to the Management Committee and issues a paper there;
    # the WGETI Chair issues one in WGETI, where the Philippines take part.
    president = signed_in("president")
    president.goto("/rooms/management-committee")
    president.locator("#members").get_by_text("Add members", exact=True).click()
    form = president.locator("#members form").filter(
        has=president.get_by_role("heading", name="Add a whole delegation")
    )
    form.get_by_label("Delegation", exact=True).select_option(label="Philippines")
    form.get_by_label("Role", exact=True).select_option(label="Member")
    form.get_by_role("button", name="Add delegation").click()
    expect(_members_row(president, "Philippines")).to_contain_text("Member")
    left_paper = unique("Committee budget")
    issue_paper(president, "management-committee", left_paper, markdown_of(left_paper, PARAGRAPHS))
    chair = signed_in("chair.wgeti")
    kept_paper = unique("Guide to stockpiles")
    issue_paper(chair, "wgeti", kept_paper, markdown_of(kept_paper, PARAGRAPHS))

    # Then the Philippines leave the Management Committee, before the digest goes out.
    president.goto("/rooms/management-committee")
    president.once("dialog", lambda dialog: dialog.accept())
    _members_row(president, "Philippines").get_by_role("button", name="Remove").click()
    expect(_members_row(president, "Philippines")).to_have_count(0)

    assert "digest" in _consult(live_server, inbox, "send-digests")
    digest = inbox.wait_for(demo_email("delegate.philippines"), "daily consult digest")
    body = digest.get_content()
    assert kept_paper in body
    assert left_paper not in body and left_paper not in digest["Subject"]
    assert digest["List-Unsubscribe"]

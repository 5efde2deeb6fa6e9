"""E-mail that reaches a capital: on a server of its own that sends through a real SMTP server
(aiosmtpd on loopback, in this process), the Philippines reply to Germany's comment; Germany's
immediate e-mail arrives with a link that opens the reply highlighted on the paper's page, and its
unsubscribe link stops replies by e-mail in one click."""

from __future__ import annotations

import re
import socket
import time
from email import message_from_bytes
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from tests.browser.conftest import demo_email, serve
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


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, inbox):
    """This module's own server, sending through the SMTP server above (the sender job of
    `consult serve`, as in production)."""
    port = _free_port()
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

"""National contributions as people use them: a national working paper is submitted by
Nigeria, accepted by the chair and commented on."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .test_papers import open_comments, post_comment, unique, write_comment

pytestmark = [pytest.mark.exchange, pytest.mark.browser]

TEXT = (
    "# Licensing\n\nNigeria's licensing authority decides every export application within "
    "thirty working days.\n\nCustoms verify each shipment against the licence at the border."
)


def test_a_national_paper_is_submitted_by_nigeria_accepted_and_commented_on(signed_in, axe):
    title = unique("Nigeria's licensing practice")

    # Nigeria's National Point of Contact submits it to WGETI, with South Africa invited.
    nigeria = signed_in("npc.nigeria")
    nigeria.goto("/rooms/wgeti")
    nigeria.get_by_role("link", name="Submit a national contribution").click()
    expect(nigeria.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Submit a national contribution to")
    )
    # Sent without a title or text: both refused next to their fields, nothing stored.
    nigeria.get_by_role("button", name="Submit to the chair").click()
    expect(nigeria.locator("#title-error")).to_have_text("Give the contribution a title.")
    axe(nigeria, "the contribution form showing errors")
    nigeria.get_by_label("Title", exact=True).fill(title)
    nigeria.get_by_label("Treaty articles it concerns (optional)").select_option(["7", "11"])
    nigeria.get_by_label("Co-sponsors (optional)").select_option(label="South Africa")
    nigeria.get_by_label("Text (Markdown)").fill(TEXT)
    nigeria.get_by_role("button", name="Submit to the chair").click()
    expect(nigeria.get_by_role("heading", level=1)).to_have_text(title)
    expect(nigeria.get_by_text("Submitted, awaiting the chair")).to_be_visible()
    paper_url = nigeria.url

    # A delegate of another State in the room does not see it yet.
    germany = signed_in("delegate.germany")
    assert germany.goto(paper_url).status == 404

    # South Africa, invited, sees it and confirms (named on the paper from now on).
    south_africa = signed_in("delegate.southafrica")
    south_africa.goto(paper_url)
    south_africa.get_by_role("button", name="Co-sponsor this paper").click()
    expect(south_africa.get_by_text("Your delegation co-sponsors")).to_be_visible()

    # The chair finds it waiting on the dashboard and accepts it with the pre-filled symbol.
    chair = signed_in("chair.wgeti")
    chair.goto("/")
    chair.get_by_role("link", name=title).first.click()
    chair.get_by_role("link", name="Accept or return").click()
    symbol = chair.get_by_label("Document symbol")
    expect(symbol).to_have_value(re.compile(r"^ATT/CSP\d+\.WGETI/\d{4}/NGA/\d+$"))
    axe(chair, "the chair's decision page")
    chair.get_by_role("button", name="Accept", exact=True).click()
    expect(chair.get_by_text(re.compile(r"is accepted as ATT/CSP"))).to_be_visible()

    # Now Germany sees it in the room's papers, attributed, and comments on ¶1.
    germany.goto("/rooms/wgeti")
    item = germany.locator("ul.papers li", has_text=title)
    expect(item).to_contain_text("Submitted by Nigeria, co-sponsored by South Africa")
    item.get_by_role("link", name=title).click()
    expect(germany.locator(".attribution")).to_have_text(
        "Submitted by Nigeria, co-sponsored by South Africa"
    )
    expect(germany.get_by_text("Art. 7")).to_be_visible()
    thread = open_comments(germany, 1)
    body = unique("Germany asks how the thirty days are counted")
    write_comment(germany, thread, 1, body)
    post_comment(germany, thread)
    expect(thread.locator("li.comment", has_text=body)).to_be_visible()

"""The taxonomy as people use it: the Secretariat retires a sub-topic (after a page that says
what it means), sees it kept in the list and reinstates it; a chair issues a paper tagged with
a stage, and the paper's page shows the stage linking to its library page."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.library, pytest.mark.browser]

SUB_TOPIC = "Re-export assurances"


def test_the_secretariat_retires_a_sub_topic_and_reinstates_it(signed_in, axe):
    page = signed_in("secretariat")
    page.goto("/admin/")
    page.get_by_role("link", name="Taxonomy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Taxonomy")
    axe(page)
    row = page.locator("tr", has=page.get_by_role("rowheader", name=re.compile(SUB_TOPIC)))
    row.get_by_role("link", name=f"Retire {SUB_TOPIC}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Retire {SUB_TOPIC}?")
    expect(page.get_by_text("keeps the tag and stays listed")).to_be_visible()
    axe(page)
    page.get_by_role("button", name=f"Retire {SUB_TOPIC}").click()
    expect(page.get_by_text(f"{SUB_TOPIC} is retired")).to_be_visible()
    expect(row.get_by_text("Retired", exact=True)).to_be_visible()
    row.get_by_role("button", name=f"Reinstate {SUB_TOPIC}").click()
    expect(page.get_by_text(f"{SUB_TOPIC} is offered for tags again")).to_be_visible()
    expect(row.get_by_role("link", name=f"Retire {SUB_TOPIC}")).to_be_visible()


def test_a_chair_tags_a_paper_with_a_stage_and_its_page_links_to_the_library(signed_in, axe):
    title = f"Stockpile security practice {secrets.token_hex(3)}"
    page = signed_in("chair.wgeti")
    page.goto("/rooms/wgeti-art-6-7/papers/new")
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Issued by").fill("Facilitator")
    page.get_by_label("Stages of implementation and sub-topics (optional)").select_option(
        label="Post-delivery measures"
    )
    page.get_by_label("Text (Markdown)").fill("States should secure their stockpiles.")
    page.get_by_role("button", name="Issue Rev.0").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    axe(page)
    tags = page.get_by_role("list", name="Tagged with")
    tags.get_by_role("link", name="Post-delivery measures").click()
    expect(page).to_have_url(re.compile(r"/library/post-delivery-measures$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Post-delivery measures")

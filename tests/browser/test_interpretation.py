"""Interpretation channels in a browser: the chair fills the rows of the meeting form (adds one,
moves one up, types a language we do not know and is told so next to it), saves, and each
reader sees the list in their own language first."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, _open_contexts
from .test_meetings import schedule_meeting, unique

pytestmark = [pytest.mark.i18n]


def row(page, n: int):
    """The n-th channel row of the meeting form (1-based), a group named by its legend."""
    return page.get_by_role("group", name=f"Channel row {n}", exact=True)


def channel_lines(page) -> list[str]:
    return [" ".join(t.split()) for t in page.locator(".channel-list li").all_inner_texts()]


def test_the_chair_lists_channels_and_each_reader_sees_theirs_first(
    signed_in, axe, browser, live_server
):
    title = unique("Interpreted consultation")
    chair = signed_in("chair.wgeti")
    meeting_id = schedule_meeting(chair, "wgeti", title)
    chair.goto(f"/meetings/{meeting_id}/edit")
    expect(row(chair, 2)).to_be_visible()  # blank rows to fill in
    row(chair, 1).get_by_label("Language").fill("Spanish")
    row(chair, 1).get_by_label("Channel number").fill("3")
    row(chair, 2).get_by_label("Language").fill("English")
    row(chair, 2).get_by_label("Channel number").fill("1")
    row(chair, 2).get_by_label("Stream link").fill("https://interpretation.example.org/x/en")

    # Moving a row up sends the form back with the rows swapped, nothing saved yet.
    row(chair, 2).get_by_role("button", name="Move up").click()
    expect(row(chair, 1).get_by_label("Language")).to_have_value("English")
    expect(row(chair, 2).get_by_label("Language")).to_have_value("Spanish")
    expect(row(chair, 3)).to_have_count(0)
    chair.get_by_role("button", name="Add a channel").click()
    row(chair, 3).get_by_label("Language").fill("Klingon")
    row(chair, 3).get_by_label("Channel number").fill("2")
    chair.get_by_role("button", name="Save", exact=True).click()

    # Refused next to its field; the other rows kept as typed.
    language = row(chair, 3).get_by_label("Language")
    expect(language).to_have_attribute("aria-invalid", "true")
    expect(row(chair, 3).get_by_role("alert")).to_contain_text(
        "“Klingon” is not a language we know"
    )
    expect(row(chair, 1).get_by_label("Language")).to_have_value("English")
    axe(chair, "the meeting form with a channel refused")
    language.fill("French")
    # Enter in a field saves the form (it is not taken for the first row's button).
    language.press("Enter")
    expect(chair.get_by_text("The meeting is updated.")).to_be_visible()
    expect(chair.locator(".channel-list li")).to_have_count(3)
    lines = channel_lines(chair)
    assert lines[0].startswith("English · Channel 1 · Listen online"), lines
    assert [line.split(" ")[0] for line in lines] == ["English", "Spanish", "French"]
    expect(chair.locator('.channel-list bdi[lang="fr"]')).to_have_text("Français")
    axe(chair, f"/meetings/{meeting_id} with its interpretation channels")

    # A delegate whose browser asks for French (signed in as usual, then the same session in
    # a French browser): French first, every name in French.
    signed = signed_in("delegate.germany")
    french = browser.new_context(
        base_url=live_server.base_url, viewport=DESKTOP, bypass_csp=True, locale="fr-FR"
    )
    _open_contexts.append(french)
    try:
        french.add_cookies(signed.context.cookies())
        delegate = french.new_page()
        delegate.goto(f"/meetings/{meeting_id}")
        lines = channel_lines(delegate)
        assert [line.split(" ")[0] for line in lines] == ["Français", "Anglais", "Espagnol"], lines
        expect(delegate.locator('.channel-list bdi[lang="en"]')).to_have_text("English")
        link = delegate.locator(".channel-list a")
        expect(link).to_have_attribute(
            "href", re.compile(r"^https://interpretation\.example\.org/")
        )
    finally:
        _open_contexts.remove(french)
        french.close()

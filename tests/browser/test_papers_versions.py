"""Papers in language versions, as two people use them at once: a delegate reads the Article 7
guide in French and comments on a paragraph there; the chair, reading in English, sees the
comment on the same English paragraph, marked "fr"."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.browser.catalogue import sign_in_in, words
from tests.browser.test_papers import open_comments, paragraph, write_comment

pytestmark = [pytest.mark.papers, pytest.mark.i18n]

GUIDE = "Voluntary guide: Article 7 (overriding risk)"


def open_guide(page) -> str:
    """The guide from its room's page (the demo's Articles 6 and 7 sub-working group)."""
    page.goto("/rooms/wgeti-art-6-7")
    page.get_by_role("link", name=GUIDE, exact=True).first.click()
    expect(page.get_by_role("heading", level=1, name=GUIDE)).to_be_visible()
    return page.url.split("?")[0]


def post_comment(page, thread) -> None:
    """Press "Post comment" and wait for htmx's answer (the address carries ?lang=fr)."""
    with page.expect_response(
        lambda r: "/comments" in r.url and r.request.method == "POST"
    ) as posted:
        thread.get_by_role("button", name="Post comment").click()
    assert posted.value.status == 200, posted.value.text()[:2000]


def test_a_comment_on_the_french_version_shows_on_the_english_paragraph(signed_in, axe):
    delegate = signed_in("delegate.germany")
    guide_url = open_guide(delegate)
    switch = delegate.get_by_role("navigation", name="Language of the paper")
    expect(switch.get_by_role("link", name="English", exact=True)).to_have_attribute("lang", "en")
    expect(switch.get_by_role("link", name="Español")).to_have_attribute("lang", "es")
    switch.get_by_role("link", name="Français").click()
    expect(delegate).to_have_url(re.compile(r"\?lang=fr$"))
    expect(switch.get_by_role("link", name="Français")).to_have_attribute("aria-current", "true")
    french = paragraph(delegate, 3).locator(".para-text")
    expect(french).to_contain_text("Certains États parties interprètent")
    expect(french).to_have_attribute("lang", "fr")
    axe(delegate)

    body = f"L'Allemagne préfère « certains États parties » ({secrets.token_hex(2)})."
    thread = open_comments(delegate, 3)
    write_comment(delegate, thread, 3, body)
    post_comment(delegate, thread)
    posted = thread.locator("li.comment", has_text=body)
    expect(posted).to_be_visible()
    expect(posted.locator(".lang-mark")).to_have_count(0)  # written in the language read

    chair = signed_in("chair.wgeti")
    chair.goto(guide_url)  # the chair reads in English, the paper's original
    expect(paragraph(chair, 3).locator(".para-text")).to_contain_text(
        "Some States Parties interpret"
    )
    thread = open_comments(chair, 3)
    comment = thread.locator("li.comment", has_text=body)
    expect(comment).to_be_visible()
    mark = comment.locator(".lang-mark")
    expect(mark).to_have_text("fr")
    expect(mark).to_have_attribute("title", "Written on the French version")
    expect(comment.locator(".prose[lang='fr']")).to_contain_text("L'Allemagne préfère")


def test_the_spanish_version_of_an_older_revision_is_marked(signed_in):
    reader = signed_in("delegate.germany")
    open_guide(reader)
    reader.get_by_role("navigation", name="Language of the paper").get_by_role(
        "link", name="Español"
    ).click()
    expect(reader.get_by_role("note")).to_contain_text(
        "This Spanish version is of Rev.1; the current English text is Rev.2."
    )
    expect(paragraph(reader, 1).locator(".para-text")).to_contain_text("El artículo 7(3)")


def _french(message: str, **values) -> str:
    return words("fr", message, **values)


def test_a_delegate_in_french_from_the_sign_in_page_comments_on_the_french_guide(
    new_page, signed_in
):
    """Issue #18's walk: French picked before signing in; the guide opens in French; the comment
    written there shows on the English paragraph of the chair, marked "fr"."""
    delegate = new_page()
    delegate.goto("/sign-in")
    delegate.locator("form.language-switch").get_by_role("button", name="Français").click()
    expect(delegate.locator("html")).to_have_attribute("lang", "fr")
    sign_in_in(delegate, "fr", "focal.germany")
    try:
        expect(delegate.get_by_role("heading", level=1)).to_have_text(_french("My rooms"))
        delegate.goto("/rooms/wgeti-art-6-7")
        delegate.get_by_role("link", name=GUIDE, exact=True).first.click()
        # The interface is French and the guide has a French version: that is the one shown.
        switch = delegate.get_by_role("navigation", name=_french("Language of the paper"))
        expect(switch.get_by_role("link", name="Français")).to_have_attribute(
            "aria-current", "true"
        )
        para = delegate.locator("article.paragraph").filter(
            has=delegate.get_by_role("link", name=_french("Paragraph %(n)s", n=3), exact=True)
        )
        expect(para.locator(".para-text")).to_contain_text("Certains États parties interprètent")

        body = f"L’Allemagne appuie ce paragraphe ({secrets.token_hex(2)})."
        para.get_by_role(
            "link", name=re.compile(rf"^({re.escape(_french('Comment'))}|\d+ .*)$")
        ).click()
        thread = para.locator(".thread[data-loaded='true']")
        expect(thread).to_be_visible()
        thread.get_by_label(re.compile(r"¶3")).first.fill(body)
        with delegate.expect_response(
            lambda r: "/comments" in r.url and r.request.method == "POST"
        ) as posted:
            thread.get_by_role("button", name=_french("Post comment")).click()
        assert posted.value.status == 200, posted.value.text()[:2000]
        expect(thread.locator("li.comment", has_text=body)).to_be_visible()

        chair = signed_in("chair.wgeti")  # in English, the paper's original language
        chair.goto(delegate.url.split("?")[0])
        thread = open_comments(chair, 3)
        comment = thread.locator("li.comment", has_text=body)
        expect(comment).to_be_visible()
        expect(comment.locator(".lang-mark")).to_have_text("fr")
    finally:
        # The demo's other tests read this delegate in English.
        delegate.goto("/")
        delegate.locator("form.language-switch").get_by_role("button", name="English").click()

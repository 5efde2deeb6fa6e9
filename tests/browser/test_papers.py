"""Draft papers as people use them: a chair issues a paper, delegates comment paragraph by
paragraph while the chair watches the thread fill in live, a new revision moves each comment
with its text, the chair compiles the comments into Word, and people outside a members-only
room see nothing of its papers."""

from __future__ import annotations

import re
import secrets

import pytest
from docx import Document
from playwright.sync_api import expect

pytestmark = pytest.mark.papers

LIVE_UPDATE_TIMEOUT = 10_000  # ms: Socket.IO "paper-changed" -> htmx re-fetch of the thread

PARAGRAPHS = [
    "The Working Group agrees to meet twice a year, before each Conference of States Parties.",
    "The sub-working groups report to the plenary on the progress of their work plans.",
    "States Parties are encouraged to share their national practice on diversion through "
    "the information exchange platform, in writing and before each meeting.",
    "The Secretariat compiles the contributions received and circulates them to all States "
    "Parties.",
    "The Chair presents a summary of the discussions to the Conference.",
]
INSERTED = (
    "The Working Group invites observers to contribute to the exchange of national practice "
    "where States Parties agree."
)


def unique(prefix: str) -> str:
    """A title no other test (or earlier run) uses: the demo data is shared by the session."""
    return f"{prefix} {secrets.token_hex(3)}"


def markdown_of(title: str, paragraphs: list[str]) -> str:
    """The paper as a chair pastes it: a title, a section heading, then the paragraphs."""
    blocks = [f"# {title}", "## Meetings and reporting", *paragraphs]
    return "\n\n".join(blocks) + "\n"


def issue_paper(page, room_slug: str, title: str, source: str, issued_by: str = "The Chair"):
    """Through the room page's "Issue a paper" form, then "Open for comments" (a paper starts
    in drafting); lands on the open paper. Returns its id."""
    page.goto(f"/rooms/{room_slug}")
    page.get_by_role("link", name="Issue a paper").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Issue a paper in"))
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Issued by").fill(issued_by)
    page.get_by_label("Text (Markdown)").fill(source)
    page.get_by_role("button", name="Issue Rev.0").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text(f"{title} is in drafting")).to_be_visible()
    match = re.search(r"/papers/(\d+)$", page.url)
    assert match, f"issuing a paper should land on its page, not {page.url}"
    # A paper starts in drafting: the chair opens it for comments, after a confirmation.
    page.get_by_role("link", name="Open for comments…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Open {title} for comments?")
    page.get_by_role("button", name="Open for comments and tell the room").click()
    expect(page.get_by_text(f"{title} is open for comments; the room is told.")).to_be_visible()
    return int(match.group(1))


def paragraph(page, number: int):
    """The numbered paragraph ¶number of the paper shown (its number is a link "Paragraph n")."""
    return page.locator("article.paragraph").filter(
        has=page.get_by_role("link", name=f"Paragraph {number}", exact=True)
    )


def open_comments(page, number: int):
    """Click the paragraph's "Comment" / "n comments" button; htmx loads the thread in place."""
    para = paragraph(page, number)
    para.get_by_role("link", name=re.compile(r"^(Comment|\d+ comments?)$")).click()
    thread = para.locator(".thread[data-loaded='true']")
    expect(thread).to_be_visible()
    return thread


def wait_until_live(page) -> None:
    expect(
        page.get_by_role("status").filter(has_text=re.compile(r"connected", re.I))
    ).to_be_visible()


def write_comment(page, thread, number: int, body: str, quote="", proposed=""):
    thread.get_by_label(f"Your comment on ¶{number} (Markdown)").fill(body)
    if quote or proposed:
        thread.get_by_text("Quote, proposed text, position").click()
        thread.get_by_label("Words you refer to (copied from the paragraph)").fill(quote)
        thread.get_by_label("Proposed text (replacement wording for the paragraph)").fill(proposed)


def post_comment(page, thread) -> None:
    with page.expect_response(
        lambda r: r.url.endswith("/comments") and r.request.method == "POST"
    ) as posted:
        thread.get_by_role("button", name="Post comment").click()
    assert posted.value.request.headers.get("hx-request") == "true"


def comment_on_paragraph_3(page, body: str) -> None:
    """Germany's delegate comments on ¶3, quoting words copied from it and proposing text."""
    thread = open_comments(page, 3)
    expect(thread.get_by_text("No comments on this paragraph yet.")).to_be_visible()
    # The words are copied from the paragraph as shown on the page.
    shown = paragraph(page, 3).locator(".para-text").inner_text()
    quote = re.search(r"share their national practice on diversion", shown).group(0)
    write_comment(
        page,
        thread,
        3,
        body,
        quote=quote,
        proposed="States Parties are invited to share their national practice on diversion.",
    )
    post_comment(page, thread)
    thread = paragraph(page, 3).locator(".thread[data-loaded='true']")
    comment = thread.locator("li.comment", has_text=body)
    expect(comment).to_be_visible()
    expect(comment.locator("blockquote.quote")).to_have_text(quote)
    expect(comment).to_contain_text("made on Rev.0 ¶3")
    expect(comment.locator(".proposed ins").first).to_be_visible()  # the proposal as a redline
    # The box is empty again, ready for the next comment (not the one just posted).
    expect(thread.get_by_label("Your comment on ¶3 (Markdown)")).to_have_value("")


def docx_texts_under(path, heading: str) -> list[str]:
    """The paragraphs of a .docx between the heading `heading` and the next heading."""
    texts, inside = [], False
    for para in Document(str(path)).paragraphs:
        if para.style.name.startswith("Heading"):
            inside = para.text.strip() == heading
            continue
        if inside and para.text.strip():
            texts.append(para.text)
    return texts


def test_comment_appears_live_moves_with_rev1_and_is_compiled(signed_in, tmp_path):
    title = unique("Work plan arrangements")
    body = f"Germany prefers an invitation to an encouragement ({secrets.token_hex(2)})."

    # A: the chair of WGETI issues the paper and opens the comments of ¶3.
    chair = signed_in("chair.wgeti")
    paper_id = issue_paper(chair, "wgeti", title, markdown_of(title, PARAGRAPHS))
    # The text's headings are headings on the page, one level below the paper's title.
    paper_text = chair.get_by_role("region", name="Text of Rev.0")
    expect(paper_text.get_by_role("heading", level=2, name=title)).to_be_visible()
    expect(
        paper_text.get_by_role("heading", level=3, name="Meetings and reporting")
    ).to_be_visible()
    expect(paragraph(chair, 5)).to_contain_text(PARAGRAPHS[4])
    wait_until_live(chair)
    chair_thread = open_comments(chair, 3)
    expect(chair_thread.get_by_text("No comments on this paragraph yet.")).to_be_visible()
    loads = []
    chair.on("load", lambda page: loads.append(page.url))

    # C: the Philippines' delegate reads the paper with the comments of ¶3 closed.
    reader = signed_in("delegate.philippines")
    reader.goto(f"/papers/{paper_id}")
    wait_until_live(reader)
    reader_count = paragraph(reader, 3).get_by_role(
        "link", name=re.compile(r"^(Comment|\d+ comments?)$")
    )
    expect(reader_count).to_have_text("Comment")
    reader_requests = []
    reader.on("request", lambda r: reader_requests.append(r.url))

    # B: Germany's delegate opens the same paper from the room page and comments on ¶3.
    delegate = signed_in("delegate.germany")
    delegate.goto("/rooms/wgeti")
    delegate.get_by_role("link", name=title).click()
    expect(delegate).to_have_url(re.compile(rf"/papers/{paper_id}$"))
    comment_on_paragraph_3(delegate, body)

    # A, without reloading: the comment appears in the open thread of ¶3.
    live_comment = chair_thread.locator("li.comment", has_text=body)
    expect(live_comment).to_be_visible(timeout=LIVE_UPDATE_TIMEOUT)
    expect(live_comment).to_contain_text("Germany")
    assert loads == [], f"the paper was reloaded instead of updated in place: {loads}"
    # C, without a request: the closed paragraph's button counts the new comment.
    expect(reader_count).to_have_text("1 comment", timeout=LIVE_UPDATE_TIMEOUT)
    assert not [u for u in reader_requests if f"/papers/{paper_id}" in u], reader_requests

    # The chair issues Rev.1, inserting a paragraph before ¶3 in the text of Rev.0.
    chair.get_by_role("link", name="Issue a new revision").click()
    expect(chair.get_by_role("heading", level=1)).to_have_text(f"Issue Rev.1 of {title}")
    text = chair.get_by_label("Text (Markdown)")
    source = text.input_value()
    assert PARAGRAPHS[2] in source
    text.fill(source.replace(PARAGRAPHS[2], f"{INSERTED}\n\n{PARAGRAPHS[2]}"))
    chair.get_by_label("What changed (optional)").fill("A paragraph on observers")
    chair.get_by_role("button", name="Issue the revision").click()
    expect(chair).to_have_url(re.compile(rf"/papers/{paper_id}$"))
    expect(chair.get_by_text("Rev.1 is issued. Comments moved with their text.")).to_be_visible()

    # The new paragraph is ¶3; the delegate's comment followed its text to ¶4.
    expect(paragraph(chair, 3).locator(".para-text")).to_have_text(INSERTED)
    expect(paragraph(chair, 3).get_by_role("link", name="Comment", exact=True)).to_be_visible()
    expect(paragraph(chair, 4).get_by_role("link", name="1 comment", exact=True)).to_be_visible()
    moved = open_comments(chair, 4).locator("li.comment", has_text=body)
    expect(moved).to_be_visible()
    expect(moved).to_contain_text("made on Rev.0 ¶3")

    # The delegate's open page says the paper changed instead of moving text under her eyes.
    expect(delegate.get_by_role("link", name=re.compile("This paper has changed"))).to_be_visible(
        timeout=LIVE_UPDATE_TIMEOUT
    )

    # Compare: the inserted paragraph is underlined (<ins>) in the redline.
    chair.get_by_role("link", name="Compare revisions").click()
    expect(chair.get_by_role("heading", level=1)).to_have_text("Rev.0 compared with Rev.1")
    inserted_row = chair.get_by_role("row").filter(has=chair.locator("ins", has_text=INSERTED))
    expect(inserted_row).to_have_count(1)
    expect(inserted_row.get_by_role("cell").nth(0)).to_have_text("new")
    expect(inserted_row.get_by_role("cell").nth(1)).to_have_text("¶3")
    expect(chair.locator("td.redline del")).to_have_count(0)

    # Compilation: the Word file has the comment under "¶4".
    chair.get_by_role("link", name=title).click()
    chair.get_by_role("link", name="Compilation", exact=True).click()
    expect(chair.get_by_role("heading", level=1)).to_have_text("Compilation of comments")
    group = chair.locator(".compilation-group").filter(
        has=chair.get_by_role("heading", name="¶4", exact=True)
    )
    expect(group.get_by_text(body)).to_be_visible()
    with chair.expect_download() as download_info:
        chair.get_by_role("link", name="Download Word (.docx)").click()
    download = download_info.value
    assert download.suggested_filename == f"paper-{paper_id}-Rev.1-compilation.docx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    under_4 = docx_texts_under(saved, "¶4")
    assert any(body in text for text in under_4), f"not under ¶4 in the .docx: {under_4}"
    assert any("share their national practice on diversion" in t for t in under_4)
    assert docx_texts_under(saved, "¶3") == []


def test_revision_uploaded_as_docx_moves_the_comment(signed_in, tmp_path):
    title = unique("Reporting arrangements")
    body = f"Mexico asks for a shorter deadline ({secrets.token_hex(2)})."
    chair = signed_in("chair.wgeti")
    paper_id = issue_paper(chair, "wgeti", title, markdown_of(title, PARAGRAPHS))
    thread = open_comments(chair, 3)
    write_comment(chair, thread, 3, body)
    post_comment(chair, thread)
    expect(paragraph(chair, 3).locator("li.comment", has_text=body)).to_be_visible()

    # Rev.1 written in Word: the same text with a paragraph inserted before ¶3.
    document = Document()
    document.add_heading(title, level=1)
    document.add_heading("Meetings and reporting", level=2)
    for text in [*PARAGRAPHS[:2], INSERTED, *PARAGRAPHS[2:]]:
        document.add_paragraph(text)
    path = tmp_path / "rev1.docx"
    document.save(str(path))

    chair.get_by_role("link", name="Issue a new revision").click()
    chair.get_by_label("Or upload a Word document (.docx)").set_input_files(str(path))
    chair.get_by_role("button", name="Issue the revision").click()
    expect(chair).to_have_url(re.compile(rf"/papers/{paper_id}$"))
    expect(chair.get_by_text("Rev.1 is issued. Comments moved with their text.")).to_be_visible()
    expect(chair.locator(".paper-header")).to_contain_text("Rev.1")

    expect(paragraph(chair, 3).locator(".para-text")).to_have_text(INSERTED)
    expect(paragraph(chair, 6).locator(".para-text")).to_have_text(PARAGRAPHS[4])
    moved = open_comments(chair, 4).locator("li.comment", has_text=body)
    expect(moved).to_be_visible()
    expect(moved).to_contain_text("made on Rev.0 ¶3")
    # The Word upload is the source of Rev.1: the text of Rev.1 as a download matches.
    with chair.expect_download() as download_info:
        chair.get_by_role("link", name="Download Rev.1 (.docx)").click()
    saved = tmp_path / "exported.docx"
    download_info.value.save_as(saved)
    exported = "\n".join(p.text for p in Document(str(saved)).paragraphs)
    assert INSERTED in exported and PARAGRAPHS[2] in exported


def emit_with_ack(page, event: str, data: dict) -> dict:
    page.wait_for_function("() => window.consult && window.consult.socket.connected")
    return page.evaluate(
        "([event, data]) => window.consult.socket.timeout(5000).emitWithAck(event, data)",
        [event, data],
    )


def test_a_paper_in_a_members_only_room_is_not_found_by_outsiders(signed_in):
    title = unique("African Group position on diversion")
    chair = signed_in("coordinator.african")
    paper_id = issue_paper(
        chair, "african-group", title, markdown_of(title, PARAGRAPHS[:3]), "Coordinator"
    )
    key = paragraph(chair, 1).get_attribute("data-key")
    assert key
    urls = [
        f"/papers/{paper_id}",
        f"/papers/{paper_id}/p/{key}",
        f"/papers/{paper_id}/rev/0",
        f"/papers/{paper_id}/rev/0.docx",
        f"/papers/{paper_id}/compare",
        f"/papers/{paper_id}/compilation",
        f"/papers/{paper_id}/compilation.docx",
    ]
    # The chair can reach all of them, and her live channel may watch the paper.
    for url in urls:
        assert chair.request.get(url).status == 200, url
    assert emit_with_ack(chair, "watch_paper", {"paper": paper_id})["ok"] is True

    india = signed_in("delegate.india")
    response = india.goto(f"/papers/{paper_id}")
    assert response is not None and response.status == 404
    expect(india.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(india.get_by_text(title)).to_have_count(0)
    response = india.goto(f"/papers/{paper_id}/p/{key}")
    assert response is not None and response.status == 404
    for url in urls:
        answer = india.request.get(url)
        assert answer.status == 404, f"{url} answered {answer.status} to an outsider"
        assert title not in answer.text()
    fragment = india.request.get(f"/papers/{paper_id}/p/{key}", headers={"HX-Request": "true"})
    assert fragment.status == 404
    # Posting a comment is refused the same way (the CSRF token comes from her own page).
    token = india.locator("input[name=csrf_token]").first.get_attribute("value")
    posted = india.request.post(
        f"/papers/{paper_id}/p/{key}/comments",
        form={"csrf_token": token, "body": "Let me in", "revision": "0", "on_behalf_of": "India"},
    )
    assert posted.status == 404

    # The live channel refuses to let her listen to the paper.
    india.goto("/")
    assert emit_with_ack(india, "watch_paper", {"paper": paper_id}) == {"ok": False}


def test_closed_comments_refuse_and_hand_back_the_text(signed_in):
    title = unique("Draft elements for the CSP12 report")
    chair = signed_in("chair.wgeti")
    paper_id = issue_paper(chair, "wgeti", title, markdown_of(title, PARAGRAPHS))

    # Germany's delegate starts writing a comment on ¶2 ...
    delegate = signed_in("delegate.germany")
    delegate.goto(f"/papers/{paper_id}")
    wait_until_live(delegate)
    thread = open_comments(delegate, 2)
    draft = "Germany would add a reference to the outcome of the last session."
    write_comment(delegate, thread, 2, draft)

    # ... while the chair closes comments with the status form.
    status = chair.get_by_role("region", name="Status and deadline")
    status.get_by_label("Status", exact=True).select_option(label="Comments closed")
    status.get_by_role("button", name="Save").click()
    expect(chair.get_by_text("The paper's status and deadline are saved.")).to_be_visible()
    expect(chair.locator(".paper-header")).to_contain_text("Comments closed")

    # Her page hears of it, but her draft stays where it is.
    expect(delegate.get_by_role("link", name=re.compile("This paper has changed"))).to_be_visible(
        timeout=LIVE_UPDATE_TIMEOUT
    )
    expect(thread.get_by_label("Your comment on ¶2 (Markdown)")).to_have_value(draft)

    # She posts: refused, and her text is handed back to her.
    with delegate.expect_response(lambda r: r.url.endswith("/comments")) as posted:
        thread.get_by_role("button", name="Post comment").click()
    assert posted.value.status == 422
    thread = paragraph(delegate, 2).locator(".thread")
    expect(thread.get_by_role("alert")).to_have_text(
        "This paper is not open for comments (comments closed)."
    )
    expect(thread.get_by_label("Your comment was not stored. Copy it to keep it:")).to_have_value(
        draft
    )
    expect(thread.get_by_role("button", name="Post comment")).to_have_count(0)
    expect(thread.get_by_text("No comments on this paragraph yet.")).to_be_visible()
    expect(paragraph(delegate, 2).get_by_role("link", name="Comment", exact=True)).to_be_visible()

    # After a reload: the closed message, and no form to comment with.
    delegate.reload()
    expect(
        delegate.get_by_text("This paper is not open for comments (comments closed).")
    ).to_be_visible()
    expect(delegate.locator(".paper-header")).to_contain_text("Comments closed")
    thread = open_comments(delegate, 2)
    expect(thread.get_by_text("No comments on this paragraph yet.")).to_be_visible()
    expect(thread.get_by_role("button", name="Post comment")).to_have_count(0)
    expect(thread.get_by_role("textbox")).to_have_count(0)

"""Cut a paper's Markdown into the blocks delegates comment on: headings and paragraphs.

A paper is discussed paragraph by paragraph ("Rev.1 ¶12"), so the cut must be stable and
predictable for a chair who writes plain Markdown: blank lines separate blocks, a list belongs
to the paragraph that introduces it (delegates comment on "the chapeau and its items" as one
paragraph), and fenced code is never cut. Pure functions, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from consult.markdown import is_list_item

__all__ = [
    "Block",
    "markdown_for_render",
    "number_blocks",
    "paragraph_markdown",
    "split_blocks",
]

HEADING_RE = re.compile(r"^ {0,3}#{1,6} +\S")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class Block:
    """One heading or one (numbered) paragraph, as Markdown source."""

    kind: Literal["heading", "paragraph"]
    text: str


def _chunks(lines: list[str]) -> list[tuple[str, list[str]]]:
    """Group lines into ("heading" | "text", lines), split at blank lines outside fences.

    An ATX heading is always one line, so it is cut out of the text around it even without
    blank lines (this is also how Markdown renders it).
    """
    chunks: list[tuple[str, list[str]]] = []
    current: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if current:
            chunks.append(("text", current.copy()))
            current.clear()

    for line in lines:
        if fence is not None:
            current.append(line)
            stripped = line.lstrip(" ")
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
            continue
        opener = _FENCE_RE.match(line)
        if opener:
            fence = opener.group(1)
            current.append(line)
        elif not line.strip():
            flush()
        elif HEADING_RE.match(line):
            flush()
            chunks.append(("heading", [line]))
        else:
            current.append(line)
    flush()
    return chunks


def split_blocks(markdown: str) -> list[Block]:
    """Cut Markdown into heading and paragraph blocks (see the module docstring for the rules)."""
    if not markdown:
        return []
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    blocks: list[Block] = []
    # Whether the last block ends in a list, so an indented chunk continues its last item.
    in_list = False
    for kind, chunk in _chunks(lines):
        body = "\n".join(chunk).strip()
        if kind == "heading":
            blocks.append(Block("heading", body))
            in_list = False
            continue
        starts_list = is_list_item(chunk[0])
        continues_item = in_list and chunk[0].startswith("  ")
        previous = blocks[-1] if blocks else None
        if (starts_list or continues_item) and previous and previous.kind == "paragraph":
            # Glued with a single newline, blank lines dropped (see markdown_for_render).
            tail = "\n".join(chunk).rstrip()  # keeps an item's indentation
            blocks[-1] = Block("paragraph", f"{previous.text}\n{tail}")
        else:
            blocks.append(Block("paragraph", body))
        in_list = continues_item or any(is_list_item(line) for line in chunk)
    return blocks


def number_blocks(blocks: list[Block]) -> list[int | None]:
    """Paragraph numbers 1..n in reading order; headings are not numbered (None)."""
    numbers: list[int | None] = []
    n = 0
    for block in blocks:
        if block.kind == "heading":
            numbers.append(None)
        else:
            n += 1
            numbers.append(n)
    return numbers


def markdown_for_render(text: str) -> str:
    """A block's text made ready for consult.markdown.render.

    Blocks keep a list glued to its introducing paragraph with a single newline. CommonMark
    starts a bulleted list there anyway, but not a numbered one that does not start at 1; the
    blank line makes every such list a list (and was needed by the renderer used before).
    """
    out: list[str] = []
    fence: str | None = None
    previous = ""
    for line in text.split("\n"):
        if fence is None:
            opener = _FENCE_RE.match(line)
            if opener:
                fence = opener.group(1)
            elif (
                is_list_item(line)
                and previous.strip()
                and not is_list_item(previous)
                and not previous.startswith(" ")
            ):
                out.append("")
        else:
            stripped = line.lstrip(" ")
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
        out.append(line)
        previous = line
    return "\n".join(out)


def paragraph_markdown(text: str, *, is_heading: bool) -> str:
    """The Markdown a paragraph is rendered from (once, when its revision is stored).

    A heading goes one level below the page's h1 (the paper's title): "# Title" is an h2,
    "## Part" an h3; the sanitiser keeps no h1, so a "# " heading would lose its role.
    """
    if is_heading:
        line = text.lstrip()
        return line if line.startswith("######") else "#" + line
    return markdown_for_render(text)

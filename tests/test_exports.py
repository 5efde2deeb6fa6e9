"""The house files: Word with its furniture, PDF converted from it, CSV for spreadsheets."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from io import BytesIO

import docx
import pytest
from flask import Flask

from consult.downloads import CSV_TYPE, DOCX_TYPE, download, file_name
from consult.exports.tables import csv_file
from consult.exports.word import DocxWriter, HouseDocument
from consult.timeutil import document_date

ISSUED = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # already 2 December in Geneva


def house(**changes) -> bytes:
    fields = dict(
        title="Draft decision on the Sponsorship Programme",
        body="Working Group on Effective Treaty Implementation",
        issued_at=ISSUED,
        symbol="ATT/CSP12.WGETI/2026/CHAIR/1",
        revision="Rev.2",
        kind="Compilation of comments",
        time_zone="Europe/Zurich",
    )
    fields.update(changes)
    writer = DocxWriter.house(HouseDocument(**fields))
    writer.markdown("The Working Group **welcomes** the report.")
    return writer.to_bytes()


def test_dates_on_documents_read_one_way_in_each_language():
    assert document_date(ISSUED, "en", "Europe/Zurich") == "2 December 2026"
    assert document_date(ISSUED, "fr", "Europe/Zurich") == "2 décembre 2026"
    assert document_date(ISSUED, "es", "Europe/Zurich") == "2 de diciembre de 2026"
    assert document_date(ISSUED, "xx") == "1 December 2026"


def test_house_word_file_has_a4_header_date_page_numbers_and_true_properties(app):
    with app.test_request_context():
        data = house()
    document = docx.Document(BytesIO(data))
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    header = "\n".join(p.text for p in section.header.paragraphs)
    assert "ATT/CSP12.WGETI/2026/CHAIR/1 · Rev.2" in header and "2 December 2026" in header
    footer = section.footer._element.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer
    body = [p.text for p in document.paragraphs]
    assert "Draft decision on the Sponsorship Programme" in body
    assert "Issued 2 December 2026" in body
    props = document.core_properties
    assert props.author == "Working Group on Effective Treaty Implementation"
    assert props.title.startswith("Draft decision") and props.created.year == 2026
    assert props.language == "en-GB" and props.keywords.endswith("Rev.2")
    names = zipfile.ZipFile(BytesIO(data)).namelist()
    assert not any("thumbnail" in n for n in names)
    app_xml = zipfile.ZipFile(BytesIO(data)).read("docProps/app.xml").decode()
    assert "Macintosh" not in app_xml and "<Application>consult</Application>" in app_xml
    styles = zipfile.ZipFile(BytesIO(data)).read("word/styles.xml").decode()
    assert 'w:val="en-GB"' in styles


def test_a_french_document_is_french_in_its_language_date_and_labels(app):
    with app.test_request_context():
        data = house(language="fr")
    document = docx.Document(BytesIO(data))
    styles = zipfile.ZipFile(BytesIO(data)).read("word/styles.xml").decode()
    assert 'w:val="fr-FR"' in styles and document.core_properties.language == "fr-FR"
    header = "\n".join(p.text for p in document.sections[0].header.paragraphs)
    assert "2 décembre 2026" in header


def test_the_pdf_is_the_word_file_printed_with_its_header_and_date(app, to_pdf):
    with app.test_request_context():
        english, french = house(), house(language="fr", symbol=None, revision=None)
    pages_en, pages_fr = to_pdf([english, french])
    assert "ATT/CSP12.WGETI/2026/CHAIR/1 · Rev.2" in pages_en[0]
    assert "2 December 2026" in pages_en[0] and "welcomes" in pages_en[0]
    assert "2 décembre 2026" in pages_fr[0]


def test_csv_opens_in_a_spreadsheet_as_written(app):
    with app.test_request_context():
        data = csv_file(
            ["delegation", "body", "created (UTC)", "reply"],
            [
                ("Deutschland", "=HYPERLINK(1)", datetime(2026, 12, 1, 9, 5, 7, 123456, UTC), True),
                ("Krüger ¶3", None, None, False),
            ],  # fmt: skip
        )
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[1] == "Deutschland,'=HYPERLINK(1),2026-12-01 09:05:07,yes"
    assert "Krüger ¶3,,,no" in text and "\r\n" in text


@pytest.mark.parametrize("content_type", [CSV_TYPE, DOCX_TYPE, "text/calendar; charset=utf-8"])
def test_a_download_says_its_content_type_once(content_type):
    with Flask(__name__).test_request_context():
        response = download(b"x", "Compilación ¶4.csv", content_type)
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Type"].count("charset") <= 1
    disposition = response.headers["Content-Disposition"]
    assert 'filename="Compilacin 4.csv"' in disposition
    assert "filename*=UTF-8''Compilaci%C3%B3n%20%C2%B64.csv" in disposition


def test_file_names_come_from_the_document_symbol():
    assert file_name("ATT/CSP12/WP.1", "paper-3", "Rev.2", suffix="docx") == (
        "ATT-CSP12-WP.1-Rev.2.docx"
    )
    assert file_name(None, "paper-3", "Rev.0", suffix="pdf") == "paper-3-Rev.0.pdf"

"""PDF files, converted from the house Word file by LibreOffice.

A secretariat circulates PDF as well as Word, and the two must say the same thing: the PDF is
the Word file as LibreOffice prints it, never a second layout kept in step by hand. LibreOffice
(Debian's `libreoffice-writer-nogui`) runs headless, one conversion per profile directory at a
time (two soffice processes sharing a profile fail), so a small pool of profiles bounds how
many run at once; a conversion that hangs is killed after `TIMEOUT` seconds.
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import tempfile
from pathlib import Path

from flask_babel import gettext as _

from consult.errors import ServiceError

__all__ = ["PdfUnavailable", "converter", "docx_to_pdf", "docx_to_pdf_many"]

#: Conversions running at once in one process (each is one soffice process).
SLOTS = 2
#: Seconds one call may take; the first run of a profile sets it up (a few seconds).
TIMEOUT = 120

_profiles: queue.Queue[Path] | None = None


class PdfUnavailable(ServiceError):
    """The server has no converter, or the conversion failed: the Word file still works."""


def converter() -> str | None:
    """The soffice binary: CONSULT_SOFFICE, else soffice or libreoffice on the PATH."""
    named = os.environ.get("CONSULT_SOFFICE")
    if named:
        return named if Path(named).exists() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def _pool() -> queue.Queue[Path]:
    """Profile directories kept for the life of the process (set up once, reused)."""
    global _profiles
    if _profiles is None:
        base = Path(tempfile.gettempdir()) / f"consult-soffice-{os.getuid()}-{os.getpid()}"
        pool: queue.Queue[Path] = queue.Queue()
        for slot in range(SLOTS):
            path = base / f"profile-{slot}"
            path.mkdir(parents=True, exist_ok=True)
            pool.put(path)
        _profiles = pool
    return _profiles


def _failed() -> PdfUnavailable:
    return PdfUnavailable(_("The PDF could not be made just now; download the Word file instead."))


def docx_to_pdf(data: bytes) -> bytes:
    """One Word file as PDF."""
    return docx_to_pdf_many([data])[0]


def docx_to_pdf_many(files: list[bytes]) -> list[bytes]:
    """Several Word files as PDF in one LibreOffice run (its start-up is most of the cost)."""
    binary = converter()
    if binary is None:
        raise PdfUnavailable(
            _("PDF is not available on this server; download the Word file instead.")
        )
    profile = _pool().get()
    try:
        with tempfile.TemporaryDirectory(prefix="consult-pdf-") as work:
            folder = Path(work)
            names = []
            for i, data in enumerate(files):
                source = folder / f"document-{i}.docx"
                source.write_bytes(data)
                names.append(str(source))
            command = [
                binary,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--nologo",
                "--nolockcheck",
                "--convert-to",
                "pdf:writer_pdf_Export",
                "--outdir",
                str(folder / "out"),
                *names,
            ]
            env = {**os.environ, "HOME": str(profile)}
            try:
                subprocess.run(  # noqa: S603 - a fixed command on files we wrote
                    command, capture_output=True, timeout=TIMEOUT, check=False, env=env
                )
            except (OSError, subprocess.TimeoutExpired) as error:
                raise _failed() from error
            out = []
            for i in range(len(files)):
                target = folder / "out" / f"document-{i}.pdf"
                if not target.exists():
                    raise _failed()
                out.append(target.read_bytes())
            return out
    finally:
        _pool().put(profile)

"""The text of a PDF, for tests that assert what a letter says: pypdf when installed, else
poppler's pdftotext (the issue allows either; no new dependency)."""

import shutil
import subprocess


def pdf_text(content: bytes) -> str:
    try:
        import io

        from pypdf import PdfReader
    except ImportError:
        tool = shutil.which("pdftotext")
        if tool is None:  # pragma: no cover - the test machine has poppler-utils
            raise RuntimeError("pypdf or pdftotext is needed to read PDFs") from None
        done = subprocess.run(  # noqa: S603 - a fixed tool, the PDF on stdin
            [tool, "-layout", "-enc", "UTF-8", "-", "-"],
            input=content,
            capture_output=True,
            check=True,
        )
        return done.stdout.decode("utf-8")
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)

"""Crawl the site as a signed-in user through the Django test client (issue 20 §3–4): every page
reachable from the navigation, and the findings a page must not have: duplicate ids, raw
populations or numbers (`699827`), amounts with a decimal point (`150000.00`), unspaced account
numbers. Used by tests/digifin/test_crawl.py on the demo data; the browser crawl with axe
(tests/e2e/test_crawl_axe.py) walks the same URLs."""

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from tests.html_support import duplicate_ids

# Never followed: the admin (Django's own, checked by tests/digifin/test_admin_norwegian.py),
# static files, the language switch and logout (POST only), downloads (not HTML).
SKIP = re.compile(r"^/(admin|static|i18n|konto/logg-ut)/|\.(pdf|csv|xlsx|json|xml|zip)(\?|$)")
MAX_PAGES = 400

RAW_NUMBER = re.compile(r"(?<![\w.,/:\-–−])\d{5,}(?![\w.,/:\-])")
# `kl. 02.30` is a Norwegian time, not an amount.
POINT_AMOUNT = re.compile(r"(?<![\d.])(?<!kl\. )\d+\.\d{2}(?![\d.])")


class _Page(HTMLParser):
    """Links and the visible text, without script/style and without elements marked
    `data-raw-number` (a KID, a reference or an id that is read as digits on purpose)."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "col", "area", "base", "source", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.texts, self._skip = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in self.VOID:
            return
        self._skip.append(tag in ("script", "style", "textarea") or "data-raw-number" in attrs)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self._skip:
            self._skip.pop()

    def handle_data(self, data):
        if not any(self._skip) and data.strip():
            self.texts.append(data.strip())


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def format_findings(html: str) -> list[str]:
    page = parse(html)
    findings = []
    for text in page.texts:
        for match in RAW_NUMBER.findall(text):
            findings.append(f"raw number {match!r} in {text[:80]!r}")
        for match in POINT_AMOUNT.findall(text):
            findings.append(f"amount with point {match!r} in {text[:80]!r}")
    return findings


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "<n>", path)


def crawl(client, start_urls, *, limit=MAX_PAGES, per_pattern=3):
    """Yield (url, response) for the HTML pages reachable from start_urls, breadth first; at
    most `per_pattern` pages per URL shape (`/medlemmer/oversikt/<n>/`), and one per path
    (the same list with other filters is the same template). A page that is not 200 is
    yielded too, so the caller can report it; files (PDF, CSV) are not followed."""
    queue, seen, paths, patterns = list(start_urls), set(), set(), {}
    while queue and len(seen) < limit:
        url = urldefrag(queue.pop(0))[0]
        if url in seen or SKIP.search(url) or not url.startswith("/"):
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200:
            yield url, response
            continue
        if "text/html" not in response.get("Content-Type", "") or response.streaming:
            continue
        yield url, response
        for href in parse(response.content.decode()).links:
            href = urldefrag(href)[0]
            if not href.startswith("/") or href.startswith("//") or SKIP.search(href):
                continue
            path = urlsplit(href).path
            if path in paths or patterns.get(_pattern(path), 0) >= per_pattern:
                continue
            paths.add(path)
            patterns[_pattern(path)] = patterns.get(_pattern(path), 0) + 1
            queue.append(href)


__all__ = ["crawl", "duplicate_ids", "format_findings"]

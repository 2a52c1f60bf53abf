"""HTML checks shared by the page tests and the crawl (issue 20 §3–4): duplicate ids."""

from collections import Counter
from html.parser import HTMLParser


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.append(value)


def duplicate_ids(html: str) -> list[str]:
    """The ids that occur on more than one element of the page (WCAG 4.1.1; a label's `for`
    then names the first field only)."""
    parser = _Ids()
    parser.feed(html)
    return sorted(i for i, n in Counter(parser.ids).items() if n > 1)

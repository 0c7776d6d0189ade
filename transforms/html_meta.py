"""Title and authors from a news page's own markup, where trafilatura's guesses fall short.

Measured on html_sample (bench/metadata.py): trafilatura's title keeps the site's suffix
("... | The Japan Times") and prefers og:title over the headline the page prints; its author
comes from meta tags that often name the publisher ("Badische Zeitung", "No Author"). A page's
schema.org JSON-LD names the authors; its one <h1> is the headline readers see.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lxml import html as lxml_html

_SPACE = re.compile(r"\s+")
_SUFFIX = re.compile(r"\s*(?:\s[|–—-]\s|\|)\s*([^|–—]{2,60})$")
_PREFIX = re.compile(r"^([^|–—]{2,60}?)\s*(?:\s[|–—-]\s|\|)\s*")
_PREFIX = re.compile(r"^([^|–—]{2,60}?)\s*(?:\s[|–—-]\s|\|)\s*")
_CJK_SUFFIX = re.compile(r"[-_|｜]\s*([^\s\-_|｜]{2,12}(?:网|網|新聞|ニュース))$")
_BY = re.compile(r"^by\s+", re.I)
_NOT_PEOPLE = re.compile(r"^(?:no author|staff|admin|editor|unknown|anonymous)$", re.I)


def _text(value: str | None) -> str:
    return _SPACE.sub(" ", value or "").strip()


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def parse_tree(html: str) -> Any | None:
    try:
        return lxml_html.fromstring(html)
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return None


def jsonld_authors(tree: Any) -> list[str]:
    """Author names from schema.org JSON-LD blocks (Article, NewsArticle, ...)."""
    names: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "author":
                    for a in value if isinstance(value, list) else [value]:
                        name = a.get("name") if isinstance(a, dict) else a
                        if isinstance(name, str) and _text(name):
                            names.append(_BY.sub("", _text(name)))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for block in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            walk(json.loads(block))
        except (ValueError, RecursionError):
            continue
    return list(dict.fromkeys(names))


def strip_site_suffix(title: str, site_names: list[str]) -> str:
    """'Headline | The Japan Times' -> 'Headline' (and 'SITE|Headline'), when that part is the site."""
    sites = {re.sub(r"\W", "", _text(s).casefold()) for s in site_names if s}

    def is_site(part: str) -> bool:
        squashed = re.sub(r"\W", "", part.casefold())
        return bool(squashed) and any(squashed in s or s in squashed for s in sites if len(s) >= 3)

    m = _SUFFIX.search(title)
    if m and is_site(m.group(1)):
        return title[: m.start()].strip()
    m = _CJK_SUFFIX.search(title)
    if m:
        return title[: m.start()].strip()
    m = _PREFIX.match(title)
    if m and is_site(m.group(1)) and len(title) - m.end() > m.end():
        return title[m.end() :].strip()
    return title


def headline(tree: Any, title: str | None) -> str | None:
    """The page's single <h1> when it is the same headline as ``title`` reworded, else None."""
    h1s = [_text(h.text_content()) for h in tree.xpath("//h1")]
    h1s = [h for h in h1s if h]
    if len(h1s) != 1 or len(h1s[0].split()) < 4 or "|" in h1s[0] or not title:
        return None
    if title.casefold() in h1s[0].casefold():
        return None
    first = re.split(r"\s[|–—-]\s", title)[0].strip()
    if first.casefold() in h1s[0].casefold():
        return first if first != title else None  # the h1 adds a kicker to the same headline
    a, b = _words(h1s[0]), _words(title)
    return h1s[0] if a and b and len(a & b) / min(len(a), len(b)) >= 0.5 else None


def page_title_and_authors(
    html: str, title: str | None, authors: list[str], site_name: str | None, url: str | None
) -> tuple[str | None, str, list[str]]:
    """Better title (and where it came from) and authors, given trafilatura's ones."""
    tree = parse_tree(html)
    host = re.sub(r"^www\.", "", (url or "").split("/")[2]) if url and url.count("/") >= 2 else ""
    sites = [s for s in (site_name, host, host.split(".")[0] if host else "") if s]
    source = "html_meta"
    if title:
        title = strip_site_suffix(_text(title), sites)
    if tree is None:
        return title, source, authors
    h1 = headline(tree, title)
    if h1:
        title, source = h1, "html_h1"
    people = jsonld_authors(tree) or authors
    site_keys = {re.sub(r"\W", "", s.casefold()) for s in sites}
    people = [
        p
        for p in people
        if not _NOT_PEOPLE.match(p) and re.sub(r"\W", "", p.casefold()) not in site_keys and "://" not in p
    ]
    return title, source, people

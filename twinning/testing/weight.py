"""What a page costs on a slow link: its HTML and everything it makes the browser download, compressed the way
production sends them.

First load = the HTML as GZipMiddleware sends it + every stylesheet, script, image, icon, font and web app
manifest the page references (and what those reference in turn: a stylesheet's url() and @import, a manifest's
icons), each as WhiteNoise serves it. Repeat visit = the HTML + whatever is not cached for good: in production every
static file has a hashed name (CompressedManifestStaticFilesStorage) and WhiteNoise serves it with
`Cache-Control: max-age=315360000, public, immutable`, so a returning browser asks for none of them; anything
else (a view's JavaScript or JSON) counts again unless its own answer says it may be kept for a year.

Compression is gzip, the worse of the two WhiteNoise offers: Chromium asks for brotli over HTTPS only, and the
HTML is gzip whatever the client. Used by the page-weight tests and bench/slowlinks.py.
"""

import gzip
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from django.contrib.staticfiles import finders
from django.middleware.gzip import GZipMiddleware
from django.templatetags.static import static
from django.utils.text import compress_string
from whitenoise.compress import Compressor

# Budgets of issue "Field conditions": a first visit at most 60 KB, a repeat visit under 15 KB, compressed.
FIRST_LOAD_BUDGET = 60 * 1024
REPEAT_VISIT_BUDGET = 15 * 1024

# <link rel> values a browser downloads while it loads the page. Not "apple-touch-icon" (Safari reads it only when
# the page is added to the home screen), nor canonical, alternate, next and the like (links, not downloads).
FETCHED_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest"}
# Elements and the attributes whose URL the browser fetches as it renders the page.
FETCHED_ATTRS = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("poster",),
    "audio": ("src",),
    "input": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "iframe": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]*?)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
FAR_FUTURE_SECONDS = 365 * 24 * 60 * 60


@dataclass
class Resource:
    url: str
    kind: str  # "css", "js", "manifest", "image" (icons and fonts count as images: fetched once, never run)
    raw: int
    sent: int  # bytes on the wire, compressed as the server sends it
    cached: bool  # kept by the browser for good (a hashed static file), so a repeat visit does not fetch it


@dataclass
class PageWeight:
    url: str
    html_raw: int
    html_sent: int
    resources: list[Resource] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)  # references to another host: never allowed (no CDN)
    missing: list[str] = field(default_factory=list)  # references that answered nothing: a broken page

    @property
    def first_load(self) -> int:
        return self.html_sent + sum(r.sent for r in self.resources)

    @property
    def repeat_visit(self) -> int:
        return self.html_sent + sum(r.sent for r in self.resources if not r.cached)

    def problems(self) -> list[str]:
        """What breaks the slow-link rules, one line each; empty when the page is within budget."""
        found = [f"{self.url}: loads {url} from another host" for url in self.foreign]
        found += [f"{self.url}: {url} is not found" for url in self.missing]
        if self.first_load > FIRST_LOAD_BUDGET:
            found.append(f"{self.url}: first load {self.summary()} is over {FIRST_LOAD_BUDGET} bytes")
        if self.repeat_visit >= REPEAT_VISIT_BUDGET:
            found.append(
                f"{self.url}: repeat visit {self.repeat_visit} bytes is not under {REPEAT_VISIT_BUDGET}"
            )
        return found

    def summary(self) -> str:
        parts = ", ".join(f"{r.url} {r.sent}" for r in sorted(self.resources, key=lambda r: -r.sent))
        return f"{self.first_load} bytes (HTML {self.html_sent}; {parts})"


class References(HTMLParser):
    """The URLs an HTML page makes the browser download, with the kind of each."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "link":
            rels = set(values.get("rel", "").lower().split())
            if rels & FETCHED_RELS and values.get("href"):
                kind = "css" if "stylesheet" in rels else "manifest" if "manifest" in rels else "image"
                if rels & {"preload", "modulepreload"}:
                    kind = {"style": "css", "script": "js"}.get(values.get("as", ""), "image")
                    kind = "js" if "modulepreload" in rels else kind
                self.found.append((values["href"], kind))
        for name in FETCHED_ATTRS.get(tag, ()):
            value = values.get(name, "")
            if tag == "input" and values.get("type", "").lower() != "image":
                continue
            if name == "srcset":
                urls = [candidate.split()[0] for candidate in value.split(",") if candidate.strip()]
            else:
                urls = [value] if value and not value.startswith("#") else []
            kind = "js" if tag == "script" else "page" if tag == "iframe" else "image"
            self.found.extend((url, kind) for url in urls)
        if "style" in values:
            self.found.extend((url, "image") for url in css_references(values["style"]))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found.extend(
                (url, "css" if url.endswith(".css") else "image") for url in css_references(data)
            )


def css_references(css: str) -> list[str]:
    urls = []
    for match in CSS_URL.finditer(css):
        url = match.group(2) or match.group(4)
        if url and not url.startswith(("data:", "#")):
            urls.append(url)
    return urls


def install_icon(icons: list[dict[str, Any]]) -> str | None:
    """The manifest icon a browser downloads on a first visit: Chromium's install check fetches one, the smallest
    of at least 144 px (a scalable one, "any", if there is one), else the largest; the others only on installing."""

    def size(icon: dict[str, Any]) -> int:
        sizes = str(icon.get("sizes", "")).lower().split()
        if "any" in sizes:
            return 144
        return max((int(n) for s in sizes for n in s.split("x")[:1] if n.isdigit()), default=0)

    listed = [icon for icon in icons if icon.get("src")]
    if not listed:
        return None
    big_enough = [icon for icon in listed if size(icon) >= 144]
    chosen = min(big_enough, key=size) if big_enough else max(listed, key=size)
    return str(chosen["src"])


def html_sent_bytes(html: bytes) -> int:
    """The HTML's size as GZipMiddleware sends it (gzip level 6 plus up to its random filename, against BREACH)."""
    if len(html) < 200:  # GZipMiddleware leaves responses this short alone
        return len(html)
    return len(compress_string(html)) + GZipMiddleware.max_random_bytes


def static_sent_bytes(path: str, data: bytes) -> int:
    """A static file's size as WhiteNoise serves it: its .gz when compressing was worth it, else the file."""
    compressor = Compressor(quiet=True)
    if not data or not compressor.should_compress(path):
        return len(data)
    compressed = Compressor.compress_gzip(data)
    return len(compressed) if len(compressed) / len(data) <= 0.95 else len(data)


Fetch = Callable[[str], Any]


class Weigher:
    """Weighs pages; a static file is read and compressed once however many pages reference it.

    `fetch(path)` answers a same-site URL that is not a static file (a view), e.g. the test client's `get`.
    """

    def __init__(self, fetch: Fetch) -> None:
        self.fetch = fetch
        self.static_url = static("")
        self._static: dict[str, tuple[bytes, int] | None] = {}

    def weigh(self, url: str, html: bytes) -> PageWeight:
        weight = PageWeight(url=url, html_raw=len(html), html_sent=html_sent_bytes(html))
        parser = References()
        parser.feed(html.decode("utf-8", "replace"))
        seen: set[str] = set()
        queue = [(urljoin(url, ref), kind) for ref, kind in parser.found]
        while queue:
            ref, kind = queue.pop(0)
            parts = urlsplit(ref)
            if parts.scheme not in ("", "http", "https"):  # data: and the like come inside the page
                continue
            if parts.netloc and parts.netloc != "testserver":
                weight.foreign.append(ref)
                continue
            path = unquote(parts.path)
            if path in seen:
                continue
            seen.add(path)
            body = self._read(path, ref, kind, weight)
            if isinstance(body, str):  # redirected: the browser follows
                queue.append((body, kind))
                continue
            if body is None:
                continue
            data, resource = body
            weight.resources.append(resource)
            if kind == "css" or path.endswith(".css"):
                for inner in css_references(data.decode("utf-8", "replace")):
                    queue.append((urljoin(ref, inner), "css" if inner.endswith(".css") else "image"))
            elif kind == "manifest":
                icon = install_icon(json.loads(data or b"{}").get("icons", []))
                if icon:
                    queue.append((urljoin(ref, icon), "image"))
        return weight

    def _read(
        self, path: str, ref: str, kind: str, weight: PageWeight
    ) -> tuple[bytes, Resource] | str | None:
        if path.startswith(self.static_url):
            name = path[len(self.static_url) :]
            if name not in self._static:
                found = finders.find(name)
                if found:
                    data = Path(str(found)).read_bytes()
                    self._static[name] = (data, static_sent_bytes(name, data))
                else:
                    self._static[name] = None
            if (entry := self._static[name]) is None:
                weight.missing.append(ref)
                return None
            data, sent = entry
            return data, Resource(url=path, kind=kind, raw=len(data), sent=sent, cached=True)
        response = self.fetch(ref)
        if response.status_code in (301, 302, 303, 307, 308) and response.has_header("Location"):
            return urljoin(ref, response["Location"])
        if response.status_code != 200:
            weight.missing.append(ref)
            return None
        data = b"".join(response.streaming_content) if response.streaming else response.content
        if response.has_header("Content-Encoding"):
            sent = len(data)
            data = gzip.decompress(data) if response["Content-Encoding"] == "gzip" else data
        else:
            sent = html_sent_bytes(data)
        max_age = re.search(r"max-age=(\d+)", response.get("Cache-Control", ""))
        cached = bool(max_age) and int(max_age.group(1)) >= FAR_FUTURE_SECONDS
        return data, Resource(url=path, kind=kind, raw=len(data), sent=sent, cached=cached)

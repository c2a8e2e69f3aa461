"""A person's browser, as far as an OAuth install needs one: GET without following redirects, cookies kept."""

from __future__ import annotations

import html
import http.client
import re
import urllib.parse
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    """What one GET answered."""

    status: int
    headers: dict[str, str]
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def link(self, starting: str) -> str:
        """The first link on the page whose address starts with ``starting`` (HTML entities decoded)."""
        for found in re.findall(r'href="([^"]+)"', self.body):
            url = html.unescape(found)
            if url.startswith(starting):
                return url
        raise AssertionError(f"no link to {starting} on the page:\n{self.body[:2000]}")


@dataclass
class Browser:
    """Keeps the cookies servers set (by name, whatever the host: every server here is on loopback)."""

    cookies: dict[str, str] = field(default_factory=dict)

    def get(self, url: str) -> Page:
        parts = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(parts.netloc, timeout=15)
        try:
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
            connection.request("GET", f"{parts.path}?{parts.query}" if parts.query else parts.path, headers=headers)
            response = connection.getresponse()
            body = response.read().decode("utf-8", errors="replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie, _, _ = value.partition(";")
                    key, _, content = cookie.partition("=")
                    self.cookies[key.strip()] = content.strip()
            return Page(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
        finally:
            connection.close()

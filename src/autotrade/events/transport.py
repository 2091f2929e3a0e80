"""Sending one webhook request: the SSRF guard and the HTTP POST (standard library only).

* Only ``http``/``https`` URLs; redirects are not followed (a 3xx is a failed attempt); environment
  proxies are ignored.
* Unless private addresses are allowed (``AUTOTRADE_WEBHOOK_ALLOW_PRIVATE``; by default allowed in
  development and test, refused in production), the host must resolve only to public (global)
  addresses — no loopback, private, link-local (cloud metadata), multicast or reserved ranges. The
  check runs at registration (literal addresses, ``localhost``) and again before every attempt
  (DNS). A DNS answer that changes between the check and the connection is not caught.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from autotrade.core.settings import Settings

USER_AGENT = "autotrade-webhooks/1"
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain")


class UrlNotAllowed(ValueError):
    """The URL is malformed or points somewhere webhooks may not go."""


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def private_allowed(settings: Settings) -> bool:
    if settings.webhook_allow_private is not None:
        return settings.webhook_allow_private
    return settings.env != "production"


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, *, allow_private: bool) -> str:
    """Validate a webhook URL at registration; returns it unchanged. Raises UrlNotAllowed."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        raise UrlNotAllowed(f"not a valid URL: {e}") from e
    if parts.scheme not in ("http", "https"):
        raise UrlNotAllowed("the URL must start with http:// or https://")
    host = (parts.hostname or "").lower()
    if not host:
        raise UrlNotAllowed("the URL has no host")
    if port == 0:
        raise UrlNotAllowed("the URL's port is not valid")
    if allow_private:
        return url
    if host == "localhost" or host.endswith(_LOCAL_SUFFIXES):
        raise UrlNotAllowed("webhooks may not point at local hosts")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return url
    if not _is_public(str(literal)):
        raise UrlNotAllowed("webhooks may not point at private, loopback or link-local addresses")
    return url


def _resolve_public(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as e:
        raise UrlNotAllowed(f"cannot resolve {host}: {e}") from e
    for info in infos:
        address = str(info[4][0])
        if not _is_public(address):
            raise UrlNotAllowed(f"{host} resolves to a non-public address ({address})")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kw: Any) -> None:
        return None


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_private: bool) -> Outcome:
    """POST once. Never raises: the outcome carries the status code or the error."""
    started = time.perf_counter()
    status: int | None = None
    error: str | None = None
    try:
        check_url(url, allow_private=allow_private)
        parts = urlsplit(url)
        if not allow_private:
            _resolve_public(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
        request = urllib.request.Request(  # noqa: S310  (scheme checked above: http or https only)
            url, data=body, headers={**headers, "User-Agent": USER_AGENT}, method="POST"
        )
        with _opener.open(request, timeout=timeout) as response:
            status = int(response.status)
            response.read(65536)
    except urllib.error.HTTPError as e:  # a non-2xx answer (redirects included: not followed)
        status = int(e.code)
        error = f"HTTP {e.code}"
        e.close()
    except UrlNotAllowed as e:
        error = f"blocked: {e}"
    except urllib.error.URLError as e:
        error = f"connection failed: {e.reason}"
    except TimeoutError:
        error = f"timed out after {timeout:g} s"
    except (OSError, ValueError) as e:
        error = f"{type(e).__name__}: {e}"
    duration_ms = int((time.perf_counter() - started) * 1000)
    return Outcome(status_code=status, error=error[:500] if error else None, duration_ms=duration_ms)

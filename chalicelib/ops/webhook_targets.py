"""Webhook targets: parse a URL strictly, resolve it, and refuse every address that is not public.

The URL is parsed by urllib3 (ports, brackets, characters), host names are checked and converted with IDNA
(UTS #46, STD3 rules: no empty or overlong labels), and IP literals with `ipaddress`. Hosts that a browser or
libc would read as a number (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`) are refused unless they are a plain
dotted quad, so no notation can hide an address from the check. IPv6 addresses that carry an IPv4 address
(`::ffff:a.b.c.d`, `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`, Teredo) are judged by the IPv4 address
inside as well. A delivery connects to the very address that was checked (see `ops.webhooks.deliver`), so a DNS
answer that changes between check and connect (rebinding) cannot redirect it.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass

import idna
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from chalicelib.config import get_settings
from chalicelib.errors import FieldError, ValidationFailed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL_CHARS = 2_048
_NUMERIC_LABEL = re.compile(r"(0x[0-9a-f]*|[0-9]+)")
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\]")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")


class TargetRefused(Exception):
    """A target that must not be contacted (raised at delivery time, where there is no request to answer)."""


@dataclass(frozen=True)
class Target:
    """A parsed webhook URL: scheme, ASCII host (no brackets), port, and the path with its query."""

    scheme: str
    host: str
    port: int
    request_uri: str
    literal: IPAddress | None


def _refuse(message: str, detail: str) -> ValidationFailed:
    return ValidationFailed(message, [FieldError("url", detail)])


def allow_private_targets() -> bool:
    """Local development may deliver to 127.0.0.1 and private networks over http."""
    return get_settings().webhooks.allow_private


def parse_target(url: str) -> Target:
    """The parts of a webhook URL, or a 422 naming `url` for anything malformed or ambiguous."""
    if len(url) > MAX_URL_CHARS or _FORBIDDEN.search(url):
        raise _refuse("webhook url is malformed", "too long, or contains spaces, control characters or '\\'")
    try:
        parts = parse_url(url)
    except (LocationParseError, ValueError) as exc:
        raise _refuse("webhook url is malformed", "not a valid URL (host or port)") from exc
    if parts.scheme not in ("https", "http") or not parts.host:
        raise _refuse("webhook url must be an absolute https URL", "not an https URL")
    if parts.auth is not None:
        raise _refuse("webhook url must not embed credentials", "credentials in URL")
    port = parts.port if parts.port is not None else (443 if parts.scheme == "https" else 80)
    if not 1 <= port <= 65_535:
        raise _refuse("webhook url is malformed", "port must be between 1 and 65535")
    literal, host = _parse_host(parts.host)
    return Target(parts.scheme, host, port, parts.request_uri, literal)


def _parse_host(raw: str) -> tuple[IPAddress | None, str]:
    if raw.startswith("["):
        inner = raw[1:-1] if raw.endswith("]") else raw
        if "%" in inner:
            raise _refuse("webhook url is malformed", "IPv6 zone identifiers are not allowed")
        try:
            literal = ipaddress.IPv6Address(inner)
        except ValueError as exc:
            raise _refuse("webhook url is malformed", "not a valid IPv6 address") from exc
        return literal, str(literal)
    name = raw[:-1] if raw.endswith(".") else raw
    last_label = name.rsplit(".", 1)[-1].lower()
    if _NUMERIC_LABEL.fullmatch(last_label):
        try:
            v4 = ipaddress.IPv4Address(name)
        except ValueError as exc:
            raise _refuse("webhook url must use a host name or a dotted-quad IPv4 address",
                          "numeric host in a non-standard notation (decimal, octal, hex or short form)") from exc
        return v4, str(v4)
    try:
        ascii_name = idna.encode(name, uts46=True, std3_rules=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError) as exc:
        raise _refuse("webhook url is malformed", f"not a valid host name ({exc})") from exc
    if not ascii_name or len(ascii_name) > 253:
        raise _refuse("webhook url is malformed", "not a valid host name")
    return None, ascii_name


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, translated, NAT64, 6to4), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or ip in _IPV4_COMPATIBLE or ip in _IPV4_TRANSLATED:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: IPAddress) -> bool:
    """True only for globally routable unicast addresses, whatever notation wraps them."""
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL or ip.teredo is not None:
            return False
        if ip in _IPV4_COMPATIBLE or ip in _IPV4_TRANSLATED:
            return False  # deprecated or translator-internal forms: no legitimate target uses them
        inner = embedded_ipv4(ip)
        if inner is not None:
            return is_public(inner)
    return True


def resolve(target: Target) -> list[IPAddress]:
    """Every address the host resolves to (an IP literal is its own answer); OSError when it does not resolve."""
    if target.literal is not None:
        return [target.literal]
    infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OSError("no addresses")
    return addresses


def non_public(addresses: list[IPAddress]) -> list[IPAddress]:
    """The addresses a production stage must not contact (the local-development switch allows them all)."""
    if allow_private_targets():
        return []
    return [ip for ip in addresses if not is_public(ip)]


def check_url(url: str) -> Target:
    """Registration: a well-formed https URL whose host resolves only to public addresses; 422 naming `url`."""
    target = parse_target(url)
    if allow_private_targets():
        return target
    if target.scheme != "https":
        raise _refuse("webhook url must use https", "https is required")
    try:
        addresses = resolve(target)
    except (OSError, UnicodeError) as exc:
        raise _refuse("webhook host does not resolve", "host does not resolve") from exc
    refused = non_public(addresses)
    if refused:
        raise _refuse("webhook targets must be public addresses", f"resolves to a non-public address ({refused[0]})")
    return target


def delivery_address(url: str) -> tuple[Target, IPAddress]:
    """Delivery: parse and resolve again, and return the one checked address to connect to."""
    try:
        target = parse_target(url)
    except ValidationFailed as exc:
        raise TargetRefused(exc.details[0].message) from exc
    if target.scheme != "https" and not allow_private_targets():
        raise TargetRefused("https is required")
    try:
        addresses = resolve(target)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused("host does not resolve") from exc
    refused = non_public(addresses)
    if refused:
        raise TargetRefused(f"resolves to a non-public address ({refused[0]})")
    return target, addresses[0]

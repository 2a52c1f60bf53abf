"""The client's IP address, for the login lockout (django-axes: AXES_CLIENT_IP_CALLABLE) and the
password reset throttle.

REMOTE_ADDR is the address that opened the TCP connection. Behind a reverse proxy that is the
proxy, for every user, so the real client is read from X-Forwarded-For, but only when
REMOTE_ADDR is one of the proxies we trust (DIGIFIN_TRUSTED_PROXIES: addresses or networks).
Anyone can send an X-Forwarded-For header; a trusted proxy appends the address it received the
request from. So the header is read from the right, skipping our own proxies, and the first
address that is not one of them is the client. Whatever a client wrote to the left of that is
ignored, and a client that talks to us directly cannot choose its address at all."""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]):
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _parse(address: str):
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or, when REMOTE_ADDR is a trusted proxy, the rightmost
    address in X-Forwarded-For that is not a trusted proxy."""
    remote_addr = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(getattr(settings, "DIGIFIN_TRUSTED_PROXIES", ())))
    remote = _parse(remote_addr) if remote_addr else None
    if remote is None or not networks or not _trusted(remote, networks):
        return remote_addr
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            # Not an address: the chain is broken here, so nothing to its left can be trusted.
            return remote_addr
        if not _trusted(address, networks):
            return str(address)
    # Every hop is one of our proxies (a request from the proxy host itself).
    return str(_parse(hops[0])) if hops else remote_addr

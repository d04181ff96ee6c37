"""Where a webhook may be sent: only to public internet addresses, so that an organisation
admin cannot make the server POST to itself, its private network or a cloud metadata
service (server-side request forgery). The host is resolved and checked when the endpoint
is saved and again at every delivery (a name may point elsewhere by then), and the
delivery connects to the very address that was checked."""

import http.client
import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

# Named for the reader; `is_global` below also refuses the rest of the reserved ranges
# (shared, documentation, multicast, IPv4 inside IPv6, …).
REFUSED_NETWORKS = [
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",  # link-local, where cloud metadata services answer
        "::/128",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
    )
]


class RefusedDestination(Exception):
    """The URL's host leads to an address we do not send to."""


class HostNotFound(RefusedDestination):
    pass


def is_refused(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in REFUSED_NETWORKS) or ip.is_multicast or not ip.is_global


def checked_addresses(url: str) -> list[str]:
    """Every address the URL's host resolves to, once all are found allowed; else
    RefusedDestination. With WEBHOOK_ALLOW_PRIVATE_ADDRESSES (local tests) any goes."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise HostNotFound("no host")
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError):
        raise HostNotFound("host not found") from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not addresses:
        raise HostNotFound("host not found")
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        refused = [address for address in addresses if is_refused(address)]
        if refused:
            raise RefusedDestination(f"private or local address {refused[0]}")
    return addresses


def post(url: str, body: bytes, headers: dict, timeout: float) -> int:
    """POST to the URL through a checked address of its host; the answer's status. TLS is
    verified against the host's name. Redirects are not followed (a 3xx is a failure)."""
    parts = urlsplit(url)
    address = checked_addresses(url)[0]
    if parts.scheme == "https":
        connection = PinnedHTTPSConnection(address, parts.hostname, parts.port, timeout=timeout)
    else:
        connection = PinnedHTTPConnection(address, parts.hostname, parts.port, timeout=timeout)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    try:
        connection.request("POST", target, body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Speaks to `host` (its Host header) at the address given, not at a fresh lookup."""

    def __init__(self, address: str, host: str, port: int | None, **kwargs):
        super().__init__(host, port, **kwargs)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, address: str, host: str, port: int | None, **kwargs):
        super().__init__(host, port, **kwargs)
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)

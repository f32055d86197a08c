# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""IP addresses in host:port form, the way Go programs (Prometheus, Alertmanager) write them."""

from __future__ import annotations

import ipaddress


def ip_address(text):
    """The IPv4Address or IPv6Address text holds (an IPv6 zone allowed), or None."""
    try:
        return ipaddress.ip_address(str(text))
    except ValueError:
        return None


def url_host(host):
    """host as it goes before ':port' in an address or URL: IPv6 addresses in brackets."""
    address = ip_address(host)
    return "[%s]" % host if address is not None and address.version == 6 else host


def host_port(host, port):
    """'host:port', '[v6]:port' for IPv6."""
    return "%s:%d" % (url_host(host), port)

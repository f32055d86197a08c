# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: listen_address
short_description: Parse a Go-style listen address and say where to reach it locally
version_added: 0.1.0
description:
  - Prometheus, Alertmanager and the exporters take C(--web.listen-address) as C(HOST:PORT)
    or C(:PORT), with IPv6 addresses in brackets (C([::]:9093), C([fe80::1]:9100)).
    This filter splits such an address and works out how the role reaches the service
    from the same machine, for health checks, the API and a self-scrape.
  - An empty host, C(0.0.0.0) and C(::) listen on every address; the service is then
    reached at C(127.0.0.1).
  - Invalid input does not raise an error. The result has RV(_value.valid=false) and a
    RV(_value.problem) to show, so a role's preflight can list it with its other problems.
options:
  _input:
    description: The listen address, for example C(:9100), C(0.0.0.0:9090), C([::]:9093) or C(localhost:9090).
    type: str
    required: true
  scheme:
    description: URL scheme of RV(_value.local_url), C(https) when the service has TLS.
    type: str
    default: http
  path:
    description:
      - Path the service answers under (its route prefix, the path of C(--web.external-url)), for
        RV(_value.local_url). A missing leading slash is added, trailing slashes are dropped.
    type: str
    default: ''
"""

EXAMPLES = r"""
- name: Where the role reaches Prometheus on its own host
  ansible.builtin.set_fact:
    __prometheus_listen: >-
      {{ prometheus_web_listen_address
         | tradpal.monitoring.listen_address(scheme='https' if prometheus_web_tls_cert_file else 'http',
                                             path=prometheus_web_external_url | urlsplit('path')) }}

- name: Refuse an unusable address before changing anything
  ansible.builtin.assert:
    that: __prometheus_listen.valid
    fail_msg: "prometheus_web_listen_address: {{ __prometheus_listen.problem }}"
    quiet: true

- name: Wait until it is ready
  ansible.builtin.uri:
    url: "{{ __prometheus_listen.local_url }}/-/ready"
"""

RETURN = r"""
_value:
  description: The parts of the address; the same keys when it is invalid.
  type: dict
  contains:
    host:
      description: The host as written, IPv6 without brackets; empty for C(:PORT).
      type: str
    port:
      description: The port; C(0) when invalid.
      type: int
    wildcard:
      description: Whether it listens on every address (empty host, C(0.0.0.0), C(::)).
      type: bool
    loopback:
      description: Whether only the machine itself can connect (C(127.0.0.0/8), C(::1), C(localhost)).
      type: bool
    local_host:
      description: What to connect to from the same machine, C(127.0.0.1) for a wildcard, else RV(_value.host).
      type: str
    url_host:
      description: RV(_value.local_host) as it goes into a URL, IPv6 in brackets.
      type: str
    local_url:
      description: C(<scheme>://<url_host>:<port><path>); empty when invalid.
      type: str
    valid:
      description: Whether the address could be parsed.
      type: bool
    problem:
      description: Why it could not, for example C(port 99999 is out of range 1-65535); empty when valid.
      type: str
"""

import re

from ansible_collections.tradpal.monitoring.plugins.plugin_utils._addresses import ip_address, url_host
from ansible_collections.tradpal.monitoring.plugins.plugin_utils._shapes import describe, is_list, is_mapping

_LABEL = r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?"
_HOST_NAME = re.compile(r"^%s(?:\.%s)*\.?$" % (_LABEL, _LABEL), re.IGNORECASE)
_DOTTED_NUMBERS = re.compile(r"^[0-9.]+$")
_ADDRESS = re.compile(r"^(?:\[(?P<v6>[^\[\]]*)\]|(?P<host>[^\[\]:]*)):(?P<port>[^:]*)$")


def _host_problem(host, bracketed):
    """Why host cannot be listened on, or ''."""
    parsed = ip_address(host)
    if bracketed:
        return "" if parsed is not None and parsed.version == 6 else "has no IPv6 address in its brackets"
    if host == "" or parsed is not None or (_HOST_NAME.match(host) and not _DOTTED_NUMBERS.match(host)):
        return ""
    return "has an invalid host"


def _split(address):
    """(host, port, problem) of a listen address; problem is '' when it is usable."""
    match = _ADDRESS.match(address)
    if match is None:
        if address.count(":") > 1 and "[" not in address:
            return "", 0, "listen address '%s' needs its IPv6 address in brackets: [ADDRESS]:PORT" % address
        return "", 0, "listen address '%s' must be HOST:PORT or :PORT" % address
    bracketed = match.group("v6") is not None
    host = match.group("v6") if bracketed else match.group("host")
    problem = _host_problem(host, bracketed)
    if problem:
        return "", 0, "listen address '%s' %s" % (address, problem)
    if not (match.group("port").isascii() and match.group("port").isdigit()):
        return "", 0, "listen address '%s' must end in a port number" % address
    port = int(match.group("port"))
    if not 1 <= port <= 65535:
        return "", 0, "port %d is out of range 1-65535" % port
    return host, port, ""


def listen_address(address, scheme="http", path=""):
    """Split a Go-style listen address and work out the URL to reach it from the same host."""
    if address is None or is_mapping(address) or is_list(address):
        problem = "listen address must be HOST:PORT or :PORT, got %s" % describe(address)
    else:
        host, port, problem = _split(str(address))
    if problem:
        return {
            "host": "",
            "port": 0,
            "wildcard": False,
            "loopback": False,
            "local_host": "",
            "url_host": "",
            "local_url": "",
            "valid": False,
            "problem": problem,
        }
    parsed = ip_address(host)
    wildcard = host == "" or (parsed is not None and parsed.is_unspecified)
    loopback = (parsed is not None and parsed.is_loopback) or host.lower().rstrip(".") == "localhost"
    local_host = "127.0.0.1" if wildcard else host
    path = str(path or "").rstrip("/")
    if path and not path.startswith("/"):
        path = "/" + path
    return {
        "host": host,
        "port": port,
        "wildcard": wildcard,
        "loopback": loopback,
        "local_host": local_host,
        "url_host": url_host(local_host),
        "local_url": "%s://%s:%d%s" % (scheme or "http", url_host(local_host), port, path),
        "valid": True,
        "problem": "",
    }


class FilterModule:
    """Listen addresses of Go services."""

    def filters(self):
        return {"listen_address": listen_address}

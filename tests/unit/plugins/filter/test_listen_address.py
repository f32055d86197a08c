"""listen_address: Go-style listen addresses, and where to reach the service from its own host."""

import pytest
from ansible_collections.tradpal.monitoring.plugins.filter import listen_address as listen_address_plugin
from ansible_collections.tradpal.monitoring.plugins.filter.listen_address import listen_address

KEYS = {"host", "port", "wildcard", "loopback", "local_host", "url_host", "local_url", "valid", "problem"}


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (":9100", ("", 9100, True, False, "http://127.0.0.1:9100")),
        ("0.0.0.0:9090", ("0.0.0.0", 9090, True, False, "http://127.0.0.1:9090")),  # noqa: S104 (parsed, not bound)
        ("[::]:9093", ("::", 9093, True, False, "http://127.0.0.1:9093")),
        ("[0:0:0:0:0:0:0:0]:9093", ("0:0:0:0:0:0:0:0", 9093, True, False, "http://127.0.0.1:9093")),
        ("10.0.0.5:9100", ("10.0.0.5", 9100, False, False, "http://10.0.0.5:9100")),
        ("[fe80::1]:9100", ("fe80::1", 9100, False, False, "http://[fe80::1]:9100")),
        ("[::1]:9121", ("::1", 9121, False, True, "http://[::1]:9121")),
        ("127.0.0.1:9090", ("127.0.0.1", 9090, False, True, "http://127.0.0.1:9090")),
        ("127.1.2.3:9090", ("127.1.2.3", 9090, False, True, "http://127.1.2.3:9090")),
        ("localhost:9090", ("localhost", 9090, False, True, "http://localhost:9090")),
        ("LocalHost:9090", ("LocalHost", 9090, False, True, "http://LocalHost:9090")),
        ("host.example:9100", ("host.example", 9100, False, False, "http://host.example:9100")),
        ("prom-1:1", ("prom-1", 1, False, False, "http://prom-1:1")),
        (":65535", ("", 65535, True, False, "http://127.0.0.1:65535")),
    ],
)
def test_valid_addresses(address, expected):
    host, port, wildcard, loopback, local_url = expected
    parsed = listen_address(address)
    assert parsed == {
        "host": host,
        "port": port,
        "wildcard": wildcard,
        "loopback": loopback,
        "local_host": "127.0.0.1" if wildcard else host,
        "url_host": "127.0.0.1" if wildcard else ("[%s]" % host if ":" in host else host),
        "local_url": local_url,
        "valid": True,
        "problem": "",
    }


@pytest.mark.parametrize(
    ("path", "suffix"),
    [("", ""), ("/", ""), ("/prometheus", "/prometheus"), ("/prometheus/", "/prometheus"), ("am//", "/am"), (None, "")],
)
def test_path_is_appended_without_trailing_slash(path, suffix):
    assert listen_address(":9090", path=path)["local_url"] == "http://127.0.0.1:9090" + suffix


def test_scheme():
    assert listen_address("[::1]:9093", scheme="https")["local_url"] == "https://[::1]:9093"
    assert listen_address(":9093", scheme="https", path="/am/")["local_url"] == "https://127.0.0.1:9093/am"


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("9100", "listen address '9100' must be HOST:PORT or :PORT"),
        (9100, "listen address '9100' must be HOST:PORT or :PORT"),
        ("", "listen address '' must be HOST:PORT or :PORT"),
        ("localhost", "listen address 'localhost' must be HOST:PORT or :PORT"),
        ("::1:9100", "listen address '::1:9100' needs its IPv6 address in brackets: [ADDRESS]:PORT"),
        ("[::1]9100", "listen address '[::1]9100' must be HOST:PORT or :PORT"),
        ("[10.0.0.5]:9100", "listen address '[10.0.0.5]:9100' has no IPv6 address in its brackets"),
        ("[]:9100", "listen address '[]:9100' has no IPv6 address in its brackets"),
        ("999.0.0.1:9100", "listen address '999.0.0.1:9100' has an invalid host"),
        ("my host:9100", "listen address 'my host:9100' has an invalid host"),
        (" :9100", "listen address ' :9100' has an invalid host"),
        ("-bad-.example:9100", "listen address '-bad-.example:9100' has an invalid host"),
        (":", "listen address ':' must end in a port number"),
        (":http", "listen address ':http' must end in a port number"),
        (":-1", "listen address ':-1' must end in a port number"),
        (":\u00b2", "listen address ':\u00b2' must end in a port number"),
        (":99999", "port 99999 is out of range 1-65535"),
        (":0", "port 0 is out of range 1-65535"),
        (None, "listen address must be HOST:PORT or :PORT, got null"),
        (["127.0.0.1:9100"], "listen address must be HOST:PORT or :PORT, got a list"),
        ({"host": "x"}, "listen address must be HOST:PORT or :PORT, got a dict"),
    ],
)
def test_invalid_addresses_do_not_raise(address, problem):
    parsed = listen_address(address)
    assert parsed["valid"] is False
    assert parsed["problem"] == problem
    assert set(parsed) == KEYS
    assert (parsed["host"], parsed["port"], parsed["local_url"]) == ("", 0, "")


def test_listen_address_is_registered():
    assert listen_address_plugin.FilterModule().filters()["listen_address"] is listen_address

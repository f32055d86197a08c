# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where and how one host of the stack serves an HTTP endpoint, derived from the variables of
the role that deploys it, as another host of the stack (Prometheus, Grafana) reaches it.

The table below is the one place that knows which variable of which role holds a listen
address, a certificate, a CA or the basic auth users. A value set for the host in the
inventory wins; otherwise the role's default applies, read from the role's
meta/argument_specs.yml (the defaults there are checked against defaults/main.yml by a unit
test), so site.yml never repeats a port or a scheme.
"""

from __future__ import annotations

import os

from ansible.module_utils.common.yaml import yaml_load
from ansible_collections.tradpal.monitoring.plugins.plugin_utils._addresses import url_host

# Per component: its role and the role's variables (None where the role has no such input).
#   listen      the listen address (HOST:PORT or :PORT)
#   tls_cert    a server certificate: set means the endpoint speaks HTTPS
#   ca          the CA that verifies that certificate, as a file on the hosts of the stack (where the
#               role has none, the consumer's tradpal_tls_ca_file)
#   users       basic auth users, name to clear-text password (from Vault)
#   client_user which of them another host logs in as (else the first by name)
#   client_ca   a CA the endpoint checks client certificates against
#   path        the route prefix, from the path of the external URL
# TradPal's own services have fixed ports and serve plain /metrics (see docs/tradpal_services.md).
ENDPOINTS = {
    "prometheus": {
        "role": "prometheus",
        "listen": "prometheus_web_listen_address",
        "tls_cert": "prometheus_web_tls_cert_file",
        "ca": "prometheus_web_tls_ca_file",
        "users": "prometheus_basic_auth_users",
        "client_user": "prometheus_web_client_user",
        "client_ca": None,
        "path": "prometheus_web_external_url",
    },
    "alertmanager": {
        "role": "alertmanager",
        "listen": "alertmanager_web_listen_address",
        "tls_cert": "alertmanager_web_tls_cert_file",
        "ca": "alertmanager_web_tls_ca_file",
        "users": "alertmanager_basic_auth_users",
        "client_user": "alertmanager_web_client_user",
        "client_ca": None,
        "path": "alertmanager_web_external_url",
    },
    "node_exporter": {
        "role": "node_exporter",
        "listen": "node_exporter_listen_address",
        "tls_cert": "node_exporter_web_tls_cert_file",
        "ca": None,
        "users": "node_exporter_basic_auth_users",
        "client_user": None,
        "client_ca": None,
        "path": None,
    },
    "redis_exporter": {
        "role": "redis_exporter",
        "listen": "redis_exporter_listen_address",
        "tls_cert": "redis_exporter_tls_cert_file",
        "ca": None,
        "users": None,
        "client_user": None,
        "client_ca": "redis_exporter_tls_client_ca_file",
        "path": None,
    },
}

SERVICES = {
    "api-gateway": 8000,
    "data-service": 8001,
    "core-service": 8002,
    "trading-bot": 8003,
    "backtesting-service": 8004,
}

_ROLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "roles")
_DEFAULTS = {}


def role_defaults(role):
    """The defaults of a role's main entry point, from its meta/argument_specs.yml."""
    if role not in _DEFAULTS:
        path = os.path.join(_ROLES, role, "meta", "argument_specs.yml")
        try:
            with open(path, encoding="utf-8") as handle:
                specs = yaml_load(handle) or {}
        except OSError:
            specs = {}
        options = specs.get("argument_specs", {}).get("main", {}).get("options", {})
        _DEFAULTS[role] = {name: spec.get("default") for name, spec in options.items() if "default" in spec}
    return _DEFAULTS[role]


def setting(component, key, variables):
    """The value of the component's variable `key` for a host: the host's own, else the role's default."""
    name = ENDPOINTS[component][key]
    if name is None:
        return None
    if name in variables:
        return variables[name]
    return role_defaults(ENDPOINTS[component]["role"]).get(name)


def reach_address(variables, name):
    """How another host reaches this one: ansible_host when the inventory sets it, else its name."""
    return str(variables.get("ansible_host") or name)


def url(scheme, host, port, path=""):
    """scheme://host:port/path, IPv6 hosts in brackets."""
    return "%s://%s:%d%s" % (scheme, url_host(host), port, path)

# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: stack_endpoints
short_description: How one host of the stack reaches the endpoints other hosts serve
version_added: 0.2.0
description:
  - Takes inventory host names and works out, for each, the endpoint of O(component) as the
    host O(consumer) reaches it, from the variables of the serving host (its inventory and
    group vars) and the defaults of the role that deploys it. The scheme follows the
    endpoint's certificate, the login is one of its basic auth users, the port and the
    route prefix follow its listen address and external URL.
  - The address is the one the endpoint listens on when that is a single address; when it
    listens on every address, the host's C(ansible_host), else its inventory name. The
    consumer reaches an endpoint on its own host over loopback.
  - An endpoint the consumer cannot use gets a RV(_value[].problem) instead of failing, so
    site.yml can refuse them all at once before any change. Such are an endpoint that listens on
    loopback of another host, an invalid listen address, one that requires TLS client
    certificates.
  - Components C(prometheus), C(alertmanager), C(node_exporter), C(redis_exporter), and the
    five TradPal services (C(api-gateway) 8000, C(data-service) 8001, C(core-service) 8002,
    C(trading-bot) 8003, C(backtesting-service) 8004; plain HTTP on every address).
options:
  _input:
    description: Inventory host names serving the component.
    type: list
    elements: str
    required: true
  hostvars:
    description: The play's C(hostvars).
    type: dict
    required: true
  component:
    description: What the hosts serve.
    type: str
    required: true
  consumer:
    description: Inventory name of the host that connects (Prometheus, Grafana).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Every node_exporter as Prometheus reaches it
  ansible.builtin.debug:
    msg: >-
      {{ groups['node_exporter']
         | tradpal.monitoring.stack_endpoints(hostvars, component='node_exporter', consumer=inventory_hostname) }}
"""

RETURN = r"""
_value:
  description: One endpoint per host, in the order given.
  type: list
  elements: dict
  contains:
    host:
      description: The inventory name of the serving host.
      type: str
    target:
      description: C(ADDRESS:PORT) as the consumer connects to it (IPv6 in brackets).
      type: str
    scheme:
      description: C(http) or C(https).
      type: str
    path:
      description: The route prefix, empty or starting with C(/).
      type: str
    url:
      description: C(SCHEME://ADDRESS:PORT/PREFIX).
      type: str
    basic_auth:
      description: C(username) and C(password) to log in with; empty when the endpoint has no users.
      type: dict
    ca_file:
      description: CA file that verifies the endpoint's certificate on the consumer; empty for the system's.
      type: str
    problem:
      description: Why the consumer cannot use the endpoint, or empty.
      type: str
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.six.moves.urllib.parse import urlsplit
from ansible_collections.tradpal.monitoring.plugins.filter.listen_address import listen_address
from ansible_collections.tradpal.monitoring.plugins.filter.web_client import web_client
from ansible_collections.tradpal.monitoring.plugins.plugin_utils._endpoints import (
    ENDPOINTS,
    SERVICES,
    reach_address,
    setting,
    url,
)
from ansible_collections.tradpal.monitoring.plugins.plugin_utils._shapes import describe, is_list, is_mapping


def _service_endpoint(name, variables, port, consumer):
    address = "127.0.0.1" if name == consumer else reach_address(variables, name)
    return _endpoint(name, address, port, "http", "", auth={}, ca_file="", problem="")


def _endpoint(name, address, port, scheme, path, *, auth, ca_file, problem):
    return {
        "host": name,
        "target": url("x", address, port)[len("x://") :],
        "scheme": scheme,
        "path": path,
        "url": url(scheme, address, port, path),
        "basic_auth": auth,
        "ca_file": ca_file,
        "problem": problem,
    }


def _login(component, variables):
    users = setting(component, "users", variables) or {}
    if not users:
        return {}, ""
    if not is_mapping(users):
        return {}, "%s must map user names to passwords, got %s" % (ENDPOINTS[component]["users"], describe(users))
    chosen = web_client(
        users, setting(component, "client_user", variables) or "", ENDPOINTS[component]["client_user"] or ""
    )
    if chosen["problem"]:
        return {}, chosen["problem"]
    return {"username": chosen["username"], "password": chosen["password"]}, ""


def _role_endpoint(name, variables, component, consumer, consumer_variables):
    spec = ENDPOINTS[component]
    tls = bool(setting(component, "tls_cert", variables))
    scheme = "https" if tls else "http"
    path = urlsplit(str(setting(component, "path", variables) or "")).path.rstrip("/")
    listen = listen_address(setting(component, "listen", variables), scheme=scheme, path=path)
    ca_file = (
        str(setting(component, "ca", variables) or consumer_variables.get("tradpal_tls_ca_file") or "") if tls else ""
    )
    if not listen["valid"]:
        problem = "%s: %s" % (spec["listen"], listen["problem"])
        return _endpoint(name, name, 0, scheme, path, auth={}, ca_file=ca_file, problem=problem)
    auth, problem = _login(component, variables)
    if not problem and setting(component, "client_ca", variables):
        problem = (
            "%s requires TLS client certificates (%s), which the stack's scrape jobs do not send: scrape it"
            " with tradpal_extra_scrape_configs instead" % (component, spec["client_ca"])
        )
    if name == consumer:
        address = listen["local_host"]
    elif listen["loopback"]:
        address = listen["host"]
        problem = problem or (
            "%s listens on loopback only (%s=%s), %s cannot reach it: listen on an address %s reaches, with"
            " authentication" % (component, spec["listen"], setting(component, "listen", variables), consumer, consumer)
        )
    elif listen["wildcard"]:
        address = reach_address(variables, name)
    else:
        address = listen["host"]
    return _endpoint(name, address, listen["port"], scheme, path, auth=auth, ca_file=ca_file, problem=problem)


def stack_endpoints(names, hostvars, component, consumer):
    if not is_list(names):
        raise AnsibleFilterError("stack_endpoints expects a list of host names, got %s" % describe(names))
    if component not in ENDPOINTS and component not in SERVICES:
        raise AnsibleFilterError(
            "stack_endpoints: unknown component %r; known: %s"
            % (component, ", ".join(sorted(ENDPOINTS) + sorted(SERVICES)))
        )
    consumer_variables = hostvars[consumer] if consumer in hostvars else {}
    endpoints = []
    for name in names:
        variables = hostvars[name] if name in hostvars else {}
        if component in SERVICES:
            endpoints.append(_service_endpoint(name, variables, SERVICES[component], consumer))
        else:
            endpoints.append(_role_endpoint(name, variables, component, consumer, consumer_variables))
    return endpoints


class FilterModule:
    def filters(self):
        return {"stack_endpoints": stack_endpoints}

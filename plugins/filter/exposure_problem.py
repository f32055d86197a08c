# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: exposure_problem
short_description: The collection's one rule for HTTP endpoints that listen beyond loopback
version_added: 0.1.0
description:
  - Every HTTP endpoint the collection deploys (Prometheus, Alertmanager, Grafana, node_exporter,
    redis_exporter) may listen on loopback freely. Beyond loopback it needs authentication (basic
    auth, TLS client certificates), or the user's explicit opt-in that accepts an open endpoint
    (for example because a firewall or a private network limits who reaches it).
  - This filter applies that rule to one listen address and answers the message to show, or an empty
    string. A role's preflight adds it to its other problems, so the play stops before any change.
  - The message names the variables to set, never a secret.
options:
  _input:
    description:
      - The listen address, C(HOST:PORT) or C(:PORT), as for
        R(tradpal.monitoring.listen_address,ansible_collections.tradpal.monitoring.listen_address_filter).
    type: str
    required: true
  variable:
    description: Name of the variable holding the address, for the message.
    type: str
    required: true
  authenticated:
    description: Whether the endpoint requires authentication as configured.
    type: bool
    required: true
  opt_in:
    description: The value of the role's opt-in variable; C(true), C(yes) or C(1) as written with C(-e) count too.
    type: bool
    required: true
  opt_in_variable:
    description: The name of the role's opt-in variable, for the message.
    type: str
    required: true
  how:
    description: What turns authentication on, for the message (variable names).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Refuse an open endpoint before changing anything
  ansible.builtin.assert:
    that: __problem | length == 0
    fail_msg: "prometheus: {{ __problem }}"
    quiet: true
  vars:
    __problem: >-
      {{ prometheus_web_listen_address | tradpal.monitoring.exposure_problem(
           variable='prometheus_web_listen_address',
           authenticated=prometheus_basic_auth_users | length > 0,
           opt_in=prometheus_web_allow_unauthenticated,
           opt_in_variable='prometheus_web_allow_unauthenticated',
           how='prometheus_basic_auth_users or prometheus_web_tls_client_ca_file') }}
"""

RETURN = r"""
_value:
  description:
    - An empty string when the endpoint listens on loopback only, requires authentication, or the user
      opted in; else why it is refused and what to set. An unparsable address is also an empty string
      here - the role's listen address check reports it.
  type: str
"""

from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.tradpal.monitoring.plugins.filter.listen_address import listen_address


def exposure_problem(address, *, variable, authenticated, opt_in, opt_in_variable, how):
    """Why an endpoint at address may not listen as configured, or ''."""
    listen = listen_address(address)
    if not listen["valid"] or listen["loopback"] or authenticated or boolean(opt_in, strict=False):
        return ""
    where = "every address" if listen["wildcard"] else listen["host"]
    return (
        "%s (%s) listens on %s without authentication: set %s, or set %s: true to accept an endpoint "
        "anyone who reaches it can use (for example behind a firewall)."
    ) % (variable, address, where, how, opt_in_variable)


class FilterModule:
    """The exposure rule of the collection's HTTP endpoints."""

    def filters(self):
        return {"exposure_problem": exposure_problem}

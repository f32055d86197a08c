# -*- coding: utf-8 -*-
# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):

    # Connection and authentication options of every Grafana module; the argument spec they
    # document is grafana_argument_spec() in plugins/module_utils/_grafana.py.
    # Private (leading underscore) like the module_utils: not an interface for other collections.
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of Grafana, for example V(https://grafana.example.com). Include any sub path set with
        C([server] root_url); leave out C(/api).
      - If not set, the E(GRAFANA_URL) environment variable of the host that runs the module is used.
    type: str
    required: true
  url_username:
    description:
      - User name for HTTP basic authentication (a Grafana user, also LDAP users).
      - If not set, the E(GRAFANA_USERNAME) environment variable is used.
    type: str
  url_password:
    description:
      - Password for HTTP basic authentication.
      - If not set, the E(GRAFANA_PASSWORD) environment variable is used.
    type: str
  token:
    description:
      - "A service account token (C(glsa_...)), sent as C(Authorization: Bearer <token>). Service accounts
        belong to one organisation."
      - If not set, the E(GRAFANA_TOKEN) environment variable is used.
      - Mutually exclusive with O(url_username) and O(url_password).
    type: str
  org_id:
    description:
      - The organisation to work in, sent as the C(X-Grafana-Org-Id) header of every request.
      - The user's current organisation is never switched (the community.grafana modules do that with
        C(POST /api/user/using/<id>) as a side effect).
      - When not set, Grafana uses the user's current organisation, or the token's.
      - If not set, the E(GRAFANA_ORG_ID) environment variable is used.
    type: int
  retries:
    description:
      - How many times to retry a request after a connection error or a 5xx answer, waiting 0.5 s, 1 s,
        2 s, ... in between. 4xx answers are never retried.
      - Saves (C(POST)) are only retried after a connection refused, a 502 or a 503.
    type: int
    default: 3
attributes:
  action_group:
    description: Use C(group/tradpal.monitoring.grafana) in C(module_defaults) to set the URL and credentials once.
    support: full
    membership:
      - tradpal.monitoring.grafana
notes:
  - "The module talks to Grafana's HTTP API (C(/api)) from the host it runs on; usually that is the
    controller, with C(delegate_to: localhost) or a play on C(localhost)."
seealso:
  - name: Grafana HTTP API
    description: The reference of the dashboard, folder and search APIs these modules use.
    link: https://grafana.com/docs/grafana/latest/developers/http_api/
"""

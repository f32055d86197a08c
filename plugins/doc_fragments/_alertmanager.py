# -*- coding: utf-8 -*-
# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):

    # Connection and authentication options of every Alertmanager module; the argument
    # spec they document is connection_argument_spec() in plugins/module_utils/_http.py.
    # Private (leading underscore) like the module_utils: not an interface for other collections.
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the Alertmanager, for example V(http://alertmanager.example.com:9093).
        Include any path prefix set with C(--web.route-prefix); leave out C(/api/v2).
      - If not set, the E(ALERTMANAGER_URL) environment variable of the host that runs the module is used.
    type: str
    required: true
  url_username:
    description:
      - User name for HTTP basic authentication (C(basic_auth_users) in Alertmanager's web config,
        or a reverse proxy in front of it).
      - If not set, the E(ALERTMANAGER_USERNAME) environment variable is used.
    type: str
  url_password:
    description:
      - Password for HTTP basic authentication.
      - If not set, the E(ALERTMANAGER_PASSWORD) environment variable is used.
    type: str
  token:
    description:
      - "Bearer token sent as C(Authorization: Bearer <token>), for Alertmanagers behind an
        authenticating proxy."
      - If not set, the E(ALERTMANAGER_TOKEN) environment variable is used.
      - Mutually exclusive with O(url_username) and O(url_password).
    type: str
  retries:
    description:
      - How many times to retry a request after a connection error or a 5xx answer,
        waiting 0.5 s, 1 s, 2 s, ... in between. 4xx answers are never retried.
      - A request that creates a silence is only retried after a connection refused, a 502 or a 503.
        A 502 or 503 from a reverse proxy can still come after Alertmanager created the silence, so a
        retry may create it twice; the next run of M(tradpal.monitoring.alertmanager_silence) finds
        both and expires the extra one (the duplicates it folds are listed in its C(expired_ids)).
    type: int
    default: 3
attributes:
  action_group:
    description: Use C(group/tradpal.monitoring.alertmanager) in C(module_defaults) to set the URL and credentials once.
    support: full
    membership:
      - tradpal.monitoring.alertmanager
notes:
  - "The module talks to the Alertmanager v2 HTTP API from the host it runs on; usually that
    is the controller, with C(delegate_to: localhost) or a play on C(localhost)."
seealso:
  - name: Alertmanager v2 API
    description: The OpenAPI definition of the API these modules use.
    link: https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml
"""

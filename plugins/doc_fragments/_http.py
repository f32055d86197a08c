# -*- coding: utf-8 -*-
# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):

    # The TLS and timeout options of the shared HTTP client (plugins/module_utils/_http.py),
    # which every API's modules have; _alertmanager and _grafana add each API's own.
    # Private (leading underscore) like the module_utils: not an interface for other collections.
    DOCUMENTATION = r"""
options:
  client_cert:
    description:
      - PEM file with the client certificate for TLS client authentication.
      - It may also hold the key, else set O(client_key).
    type: path
  client_key:
    description:
      - PEM file with the private key of O(client_cert).
    type: path
  ca_path:
    description:
      - PEM file with the CA certificate(s) that sign the server's certificate.
    type: path
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Only set V(false) on trusted networks for testing.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each HTTP request.
    type: int
    default: 10
  allow_insecure_credentials:
    description:
      - Whether to send O(url_password) or O(token) over plain C(http://) to a host that is not loopback
        (C(localhost), C(127.0.0.0/8), C(::1)).
      - By default such a request is refused before anything is sent, as anyone on the network path could read
        the credentials. Prefer C(https://); set V(true) only on networks you trust.
    type: bool
    default: false
notes:
  - The credentials only go to the scheme, host and port of O(url). Redirects are followed within them (at most
    5); a redirect elsewhere, for example from C(http://) to C(https://), fails the task and names the new
    address, so set O(url) to it. A request other than C(GET) redirected with 301, 302 or 303 fails the same way,
    as it would turn into a C(GET).
  - O(url) must not contain user information (C(https://user:password@host)); use O(url_username) and
    O(url_password), whose values are never shown. Messages show such a password as C(********).
"""

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
"""

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):

    # The option of the secret refusal rule (plugins/plugin_utils/_secrets.py), shared by the
    # secret_problems filter and the weak_secret test.
    DOCUMENTATION = r"""
options:
  min_length:
    description: The shortest acceptable password-like value; C(0) switches the length check off.
    type: int
    default: 12
"""

# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: grafana_dashboard_files
short_description: The dashboard files of Grafana dashboard providers, read and checked on the controller
version_added: 0.1.0
description:
  - Expands the C(dashboards) of every provider (JSON files, or directories whose C(*.json) files
    are taken, on the controller) into one list of files to install, and checks each file before
    anything reaches a host.
  - A file must hold a JSON object with a C(title) and a C(uid) (Grafana would otherwise give the
    dashboard a new uid on every restart) of at most 40 letters, digits, C(-) and C(_). Uids must
    be unique across all providers, and file names unique within a provider.
  - Problems are returned, not raised, so the grafana role's preflight lists them with its other
    problems. The values read from the files are not secrets.
options:
  _input:
    description:
      - The providers, each a dict with C(name) and C(dashboards) (a list of paths on the controller).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Install the dashboard files
  ansible.builtin.copy:
    src: "{{ item.src }}"
    dest: /var/lib/grafana/dashboards/{{ item.provider }}/{{ item.name }}
  loop: "{{ (providers | tradpal.monitoring.grafana_dashboard_files).files }}"
"""

RETURN = r"""
_value:
  description: The files and the problems found.
  type: dict
  contains:
    files:
      description: One entry per dashboard file, in the declared order.
      type: list
      elements: dict
      contains:
        provider:
          description: Name of the provider the file belongs to.
          type: str
        src:
          description: Absolute path of the file on the controller.
          type: str
        name:
          description: File name it gets on the host.
          type: str
        uid:
          description: The dashboard's uid, empty when the file has none.
          type: str
        title:
          description: The dashboard's title.
          type: str
    problems:
      description: One message per problem, naming the file; empty when all files are usable.
      type: list
      elements: str
"""

import json
import os
import re

from ansible.errors import AnsibleFilterError
from ansible_collections.tradpal.monitoring.plugins.plugin_utils._shapes import describe, is_list, is_mapping


# Grafana's rule for dashboard uids.
_UID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def _paths(source):
    """The JSON files a declared source stands for: itself, or a directory's *.json files."""
    path = os.path.abspath(os.path.expanduser(str(source)))
    if os.path.isdir(path):
        return sorted(os.path.join(path, name) for name in os.listdir(path) if name.endswith(".json"))
    return [path]


def _read(path):
    """(dashboard dict, problem) of one file."""
    try:
        with open(path, encoding="utf-8") as handle:
            dashboard = json.load(handle)
    except OSError as exc:
        return None, "%s cannot be read: %s" % (path, exc.strerror or exc)
    except ValueError as exc:
        return None, "%s is not valid JSON: %s" % (path, exc)
    if not is_mapping(dashboard):
        return None, "%s must hold a dashboard object, not %s" % (path, describe(dashboard))
    if "dashboard" in dashboard and is_mapping(dashboard["dashboard"]):
        return None, ("%s holds an API payload ({\"dashboard\": ...}); provisioning needs the dashboard "
                      "object itself" % path)
    return dashboard, ""


def _uid_problem(path, uid, uids):
    """Why a dashboard's uid is unusable ("" when it is fine); records a good one in uids."""
    if not uid:
        return "%s has no uid (Grafana would give it a new one on every restart)" % path
    if not _UID.match(uid):
        return "%s has uid %s; Grafana takes at most 40 letters, digits, - and _" % (path, uid)
    if uid in uids:
        return "%s has uid %s, already used by %s" % (path, uid, uids[uid])
    uids[uid] = path
    return ""


def _provider_files(provider, uids):
    """(files, problems) of one provider's declared dashboards."""
    files, problems, names = [], [], set()
    for source in provider.get("dashboards") or []:
        paths = _paths(source)
        if not paths:
            problems.append("%s holds no *.json file" % source)
        for path in paths:
            dashboard, problem = _read(path)
            if problem:
                problems.append(problem)
                continue
            name, uid = os.path.basename(path), str(dashboard.get("uid") or "")
            title = str(dashboard.get("title") or "")
            problems.append(_uid_problem(path, uid, uids))
            if not title:
                problems.append("%s has no title" % path)
            if name in names:
                problems.append("two files are named %s" % name)
            names.add(name)
            files.append({"provider": provider["name"], "src": path, "name": name, "uid": uid, "title": title})
    return files, ["provider %s: %s" % (provider["name"], problem) for problem in problems if problem]


def grafana_dashboard_files(providers):
    """Expand and check the dashboard files of Grafana dashboard providers."""
    if not is_list(providers):
        raise AnsibleFilterError("grafana_dashboard_files: expected a list of providers, got %s" % describe(providers))
    files, problems, uids = [], [], {}
    for provider in providers:
        if not is_mapping(provider) or not provider.get("name"):
            problems.append("every dashboard provider needs a name, got %s" % describe(provider))
            continue
        provider_files, provider_problems = _provider_files(provider, uids)
        files += provider_files
        problems += provider_problems
    return {"files": files, "problems": problems}


class FilterModule:
    """Grafana dashboard provisioning."""

    def filters(self):
        return {"grafana_dashboard_files": grafana_dashboard_files}

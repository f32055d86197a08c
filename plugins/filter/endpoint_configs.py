# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: endpoint_configs
short_description: Prometheus scrape configs for endpoints found by stack_endpoints
version_added: 0.2.0
description:
  - Turns the endpoints of
    R(tradpal.monitoring.stack_endpoints,ansible_collections.tradpal.monitoring.stack_endpoints_filter)
    into scrape configs (Prometheus syntax), one per way of connecting (scheme, route prefix,
    login, CA); endpoints that connect alike share one job. When they differ, the further
    configs are named C(JOB-2), C(JOB-3), ... and keep C(job="JOB") as a target label, so the
    series of one component stay in one job whatever the hosts' settings.
options:
  _input:
    description:
      - Job name to the endpoints of the job, as returned by P(tradpal.monitoring.stack_endpoints#filter).
        Jobs without endpoints get no config.
    type: dict
    required: true
  metrics_path:
    description: Path of the metrics under the endpoint's route prefix.
    type: str
    default: /metrics
  options:
    description: Further settings of every config (scrape_interval, metric_relabel_configs, ...).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: The node job, derived from every node_exporter's own settings
  ansible.builtin.set_fact:
    __node_jobs: >-
      {{ {'node': groups['node_exporter'] | tradpal.monitoring.stack_endpoints(
                    hostvars, component='node_exporter', consumer=inventory_hostname)}
         | tradpal.monitoring.endpoint_configs }}
"""

RETURN = r"""
_value:
  description: Scrape configs, job by job in the order given.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.tradpal.monitoring.plugins.plugin_utils._shapes import describe, is_list, is_mapping


def _connection(endpoint):
    """What endpoints must share to be scraped by one config."""
    auth = endpoint.get("basic_auth") or {}
    return (
        endpoint["scheme"],
        endpoint.get("path", ""),
        auth.get("username", ""),
        auth.get("password", ""),
        endpoint.get("ca_file", ""),
    )


def _job_configs(job_name, endpoints, metrics_path, options):
    groups = {}
    for endpoint in endpoints:
        groups.setdefault(_connection(endpoint), []).append(endpoint["target"])
    configs = []
    for number, (connection, targets) in enumerate(groups.items(), start=1):
        scheme, path, username, password, ca_file = connection
        static = {"targets": targets}
        if number > 1:
            static["labels"] = {"job": job_name}
        config = {
            "job_name": job_name if number == 1 else "%s-%d" % (job_name, number),
            "scheme": scheme,
            "metrics_path": path + metrics_path,
            "static_configs": [static],
        }
        if username:
            config["basic_auth"] = {"username": username, "password": password}
        if ca_file:
            config["tls_config"] = {"ca_file": ca_file}
        config.update(options)
        configs.append(config)
    return configs


def endpoint_configs(jobs, metrics_path="/metrics", options=None):
    if not is_mapping(jobs) or not all(is_list(endpoints) for endpoints in jobs.values()):
        raise AnsibleFilterError(
            "endpoint_configs expects job names to lists of stack_endpoints, got %s" % describe(jobs)
        )
    if options is not None and not is_mapping(options):
        raise AnsibleFilterError("endpoint_configs: options must be a dict, got %s" % describe(options))
    configs = []
    for job_name, endpoints in jobs.items():
        if not all(is_mapping(endpoint) for endpoint in endpoints):
            raise AnsibleFilterError("endpoint_configs: the endpoints of job %s must be dicts" % job_name)
        configs.extend(_job_configs(job_name, endpoints, metrics_path, dict(options or {})))
    return configs


class FilterModule:
    def filters(self):
        return {"endpoint_configs": endpoint_configs}

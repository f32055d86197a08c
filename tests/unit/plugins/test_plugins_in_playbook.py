"""The filters and the test in a real ansible-playbook run.

Ansible hands plugins its own types - vault-encrypted values, lazily templated dicts and
lists, HostVars - rather than plain Python ones, and they differ between ansible-core
releases; this run uses whichever ansible-core the tests run with.
"""

import sys
from pathlib import Path

import pytest
from ansible.parsing.vault import VaultLib, VaultSecret

REPO = Path(__file__).resolve().parents[3]
PLAYBOOK_BIN = Path(sys.executable).parent / "ansible-playbook"
VAULT_KEY = b"unit-test-vault-key"
GOOD = "Kq7vXw2mBz9LpT4r"
SLIPPED = "Hn5sDf8gJc3wPx6t"

INVENTORY = """
alertmanager:
  hosts:
    am1: {ansible_host: 10.0.0.5, am_listen: "{{ ansible_host }}:9094"}
    am2: {ansible_host: am2.internal}
    am3: {ansible_host: "fd00::7"}
"""

PLAYBOOK = """
- name: Facts for am2 only, as if gathered there (a cacheable set_fact sets real facts)
  hosts: am2
  connection: local
  gather_facts: false
  tasks:
    - name: Its default route's address
      ansible.builtin.set_fact:
        default_ipv4: {address: 10.0.0.6}
        cacheable: true

- name: Every plugin with Ansible's own types
  hosts: localhost
  connection: local
  gather_facts: false
  vars_files: [secrets.yml]
  vars:
    redis_bind: 127.0.0.1
    redis_save: ["3600 1"]
    basic_auth_users: {admin: "{{ vault_good }}", ops: "{{ vault_slipped }}", dev: admin}
    sentinel_conf: |
      sentinel monitor tradpal 10.0.0.6 6379 2
      sentinel down-after-milliseconds tradpal 5000
      sentinel monitor legacy 10.0.1.5 6379 2
  tasks:
    - name: Apply the plugins
      ansible.builtin.set_fact:
        secrets: >-
          {{ dict(basic_auth_users.keys() | map('regex_replace', '^', 'users.') | zip(basic_auth_users.values()))
             | combine({'slack': 'https://hooks.slack.com/services/YOUR/SLACK/WEBHOOK'})
             | tradpal.monitoring.secret_problems }}
        weak_users: "{{ basic_auth_users | dict2items | selectattr('value', 'tradpal.monitoring.weak_secret')
                        | map(attribute='key') | sort }}"
        strong: "{{ vault_good is not tradpal.monitoring.weak_secret(min_length=16) }}"
        shapes: >-
          {{ (lookup('ansible.builtin.file', repo ~ '/roles/redis/meta/argument_specs.yml') | from_yaml)
             .argument_specs.main.options
             | tradpal.monitoring.input_problems({'redis_bind': redis_bind, 'redis_save': redis_save}) }}
        listen: "{{ '[::]:9093' | tradpal.monitoring.listen_address(scheme='https', path='/am/') }}"
        bad_listen: "{{ '9093' | tradpal.monitoring.listen_address }}"
        sentinel: >-
          {{ sentinel_conf | tradpal.monitoring.sentinel_commands([{'name': 'tradpal', 'host': '10.0.0.5'}],
                                                                   {'port': 6379, 'quorum': 2, 'auth_pass': vault_good,
                                                                    'down_after_milliseconds': 5000,
                                                                    'failover_timeout': 180000, 'parallel_syncs': 1}) }}
        peers: "{{ groups['alertmanager'] | tradpal.monitoring.cluster_peers(hostvars, 9094, exclude='am1') }}"
        self_address: "{{ ['am1'] | tradpal.monitoring.cluster_peers(hostvars, 9094) | first }}"
        ports: >-
          {{ {'alertmanager_web_listen_address': ':9094', 'alertmanager_cluster_port': 9094,
              'redis_port': 6379, 'redis_tls_port': 0}
             | combine({'node_exporter_listen_address': hostvars['am1']['am_listen']})
             | tradpal.monitoring.port_conflicts(own=['alertmanager_web_listen_address',
                                                      'alertmanager_cluster_port']) }}
        # The common role's unit template, an extra option replacing a built-in one.
        unit: >-
          {{ lookup('ansible.builtin.template', repo ~ '/roles/common/templates/service.j2',
                    template_vars={'common_unit_name': 'prometheus', 'common_unit_description': 'Prometheus',
                                   'common_unit_exec_start': ['/usr/local/bin/prometheus', '--storage.tsdb.path=/p'],
                                   'common_unit_exec_reload': '', 'common_system_user': 'prometheus',
                                   'common_system_group': 'prometheus', 'common_unit_read_write_paths': ['/var/lib/p'],
                                   'common_unit_after': ['network-online.target'],
                                   'common_unit_timeout_stop': '10min',
                                   'common_unit_protect_home': 'read-only', 'common_unit_private_tmp': false,
                                   'common_unit_extra_service_options': {'LimitNOFILE': 65536, 'PrivateDevices': 'no'}})
             | regex_findall('(?m)^[A-Za-z]+=.*$') }}

    - name: Check them
      ansible.builtin.assert:
        that:
          - secrets | length == 3
          - "secrets[0] == 'slack: is a placeholder (your ...), not a real secret'"
          - "secrets[1] == 'users.dev: is a well-known password'"
          - "secrets[2] is match('users.ops: ends with a line break')"
          - secrets is not search(vault_good[:6]) and secrets is not search(vault_slipped[:6])
          - weak_users == ['dev', 'ops']
          - strong
          - shapes == ['redis_bind must be a list, got a string']
          - listen.valid and listen.wildcard and listen.local_url == 'https://127.0.0.1:9093/am'
          - not bad_listen.valid and bad_listen.problem == "listen address '9093' must be HOST:PORT or :PORT"
          - sentinel[0] == 'SENTINEL REMOVE legacy'
          - sentinel[1:] == ['SENTINEL SET tradpal auth-pass ' ~ vault_good]
          - peers == ['10.0.0.6:9094', '[fd00::7]:9094']
          - self_address == '10.0.0.5:9094'
          - ports | length == 3
          - ports[0] == 'alertmanager_web_listen_address (:9094) and alertmanager_cluster_port (9094)'
                        ~ ' both use port 9094 on this host.'
          - ports[2] is match('alertmanager_cluster_port \\(9094\\) and node_exporter_listen_address \\(10.0.0.5:9094')
          - unit | map('regex_replace', '=.*', '') | unique | length == unit | length
          - "'TimeoutStopSec=10min' in unit and 'ProtectHome=read-only' in unit and 'PrivateTmp=no' in unit"
          - "'PrivateDevices=no' in unit and 'PrivateDevices=yes' not in unit and 'LimitNOFILE=65536' in unit"
          - unit | select('match', 'ExecReload=') | list == []
          - "'ReadWritePaths=/var/lib/p' in unit"
"""


def vaulted(text):
    """A YAML !vault block holding text."""
    ciphertext = VaultLib([("default", VaultSecret(VAULT_KEY))]).encrypt(text).decode()
    return "!vault |\n" + "".join("  %s\n" % line for line in ciphertext.splitlines())


@pytest.mark.skipif(not PLAYBOOK_BIN.exists(), reason="ansible-playbook is not next to this Python")
def test_plugins_in_a_playbook(tmp_path, local_playbook):
    (tmp_path / "inventory.yml").write_text(INVENTORY, encoding="utf-8")
    (tmp_path / "playbook.yml").write_text(PLAYBOOK, encoding="utf-8")
    # The slip the secret rule explains: a password encrypted with its trailing newline.
    (tmp_path / "secrets.yml").write_text(
        "vault_good: %s\nvault_slipped: %s\n" % (vaulted(GOOD), vaulted(SLIPPED + "\n")), encoding="utf-8"
    )
    (tmp_path / "vault-key").write_bytes(VAULT_KEY)
    done = local_playbook(
        tmp_path, "-i", "inventory.yml", "playbook.yml", "--vault-password-file", "vault-key", "-e", "repo=%s" % REPO
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert GOOD not in done.stdout + done.stderr
    assert SLIPPED not in done.stdout + done.stderr

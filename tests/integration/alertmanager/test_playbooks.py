"""Real ansible-playbook runs: module_defaults through the action group, and playbooks/maintenance.yml."""

from datetime import datetime, timedelta

import yaml

GROUP_PLAYBOOK = """
- name: Both modules take URL and credentials from one module_defaults entry
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/tradpal.monitoring.alertmanager:
      url: "{{ am_url }}"
      url_username: "{{ am_user }}"
      url_password: "{{ am_password }}"
  tasks:
    - name: Create
      tradpal.monitoring.alertmanager_silence:
        matchers: ['job="defaults"']
        comment: module_defaults
        created_by: "{{ creator }}"
        duration: 1h
      register: made
    - name: List
      tradpal.monitoring.alertmanager_silence_info:
        created_by: "{{ creator }}"
      register: listed
    - name: Again
      tradpal.monitoring.alertmanager_silence:
        matchers: ['job="defaults"']
        comment: module_defaults
        created_by: "{{ creator }}"
        duration: 1h
      register: again
    - name: Check
      ansible.builtin.assert:
        that:
          - made is changed
          - again is not changed
          - listed.silences | map(attribute='id') | list == [made.silence.id]
"""


def test_module_defaults_group_sets_url_and_credentials(auth_alertmanager, basic_auth, creator, run_playbook,
                                                        tmp_path):
    playbook = tmp_path / 'group.yml'
    playbook.write_text(GROUP_PLAYBOOK)
    variables = {'am_url': auth_alertmanager.url, 'am_user': basic_auth[0], 'am_password': basic_auth[1],
                 'creator': creator}
    done = run_playbook(playbook, variables)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(auth_alertmanager.live(creator)) == 1


def deploy_tasks(tmp_path, fail_on=None, hosts='localhost'):
    """A deploy that checks the silence is active while it runs, leaves a marker per host, and maybe fails."""
    tasks = [
        {'name': 'The maintenance silence is active during the deploy',
         'tradpal.monitoring.alertmanager_silence_info': {'created_by': '{{ maintenance_created_by }}',
                                                          'state': ['active']},
         'delegate_to': 'localhost', 'register': 'during'},
        {'name': 'Check it', 'ansible.builtin.assert': {'that': [
            'during.silences | length == 1',
            'during.silences[0].matchers == [\'instance=~"(%s)(:[0-9]+)?"\']' % hosts]}},
        {'name': 'Deploy', 'ansible.builtin.copy': {'content': 'deployed\n', 'mode': '0644',
                                                    'dest': str(tmp_path / 'deployed-{{ inventory_hostname }}')}},
    ]
    if fail_on:
        tasks.append({'name': 'The deploy breaks', 'ansible.builtin.fail': {'msg': 'deploy broke on purpose'},
                      'when': 'inventory_hostname == %r' % fail_on})
    path = tmp_path / 'deploy.yml'
    path.write_text(yaml.safe_dump(tasks, sort_keys=False))
    return path


def run_maintenance(alertmanager, creator, run_playbook, tasks, hosts='localhost'):
    return run_playbook('tradpal.monitoring.maintenance', inventory=hosts + ',', extra_vars={
        'maintenance_hosts': 'all',
        'maintenance_tasks': str(tasks),
        'maintenance_alertmanager_url': alertmanager.url,
        'maintenance_created_by': creator,
    })


def test_maintenance_expires_the_silence_when_the_deploy_fails(alertmanager, creator, run_playbook, tmp_path):
    done = run_maintenance(alertmanager, creator, run_playbook, deploy_tasks(tmp_path, fail_on='localhost'))
    assert done.returncode != 0
    assert 'deploy broke on purpose' in done.stdout
    assert (tmp_path / 'deployed-localhost').exists()  # the deploy did run under the silence
    (silence,) = alertmanager.silences(creator)
    # Expired by the playbook after the failure, not by its 1h duration running out.
    assert silence['status']['state'] == 'expired'
    lasted = datetime.fromisoformat(silence['endsAt']) - datetime.fromisoformat(silence['startsAt'])
    assert lasted < timedelta(minutes=5), silence


def test_maintenance_on_several_hosts_uses_one_silence(alertmanager, creator, run_playbook, tmp_path):
    tasks = deploy_tasks(tmp_path, hosts='web1|web2|web3')
    done = run_maintenance(alertmanager, creator, run_playbook, tasks, hosts='web1,web2,web3')
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / 'deployed-web1').read_text() == 'deployed\n'
    assert sorted(p.name for p in tmp_path.glob('deployed-*')) == ['deployed-web1', 'deployed-web2', 'deployed-web3']
    (silence,) = alertmanager.silences(creator)
    assert silence['status']['state'] == 'expired'
    assert silence['comment'] == 'Maintenance: deploy.yml on web1, web2, web3'


def test_maintenance_without_hosts_or_tasks_says_what_is_missing(alertmanager, creator, run_playbook, tmp_path):
    done = run_playbook('tradpal.monitoring.maintenance', {'maintenance_alertmanager_url': alertmanager.url,
                                                           'maintenance_tasks': 'relative.yml'})
    assert done.returncode != 0
    assert 'Pass the hosts and the deploy tasks (an absolute path)' in done.stdout
    assert alertmanager.silences(creator) == []

"""--check of the whole stack on minimal Debian 12 and 13 hosts: no python3-apt, no apt lists.

Check mode cannot ask apt anything there; the roles say so and carry on, and nothing is
installed or started.
"""

import pytest

testinfra_hosts = ["tags-fresh-12", "tags-fresh-13"]


@pytest.fixture(scope="module")
def fresh_check(run_playbook):
    return run_playbook("converge.yml", {"stack_hosts": "fresh"}, check=True)


def test_check_mode_succeeds_and_says_what_it_cannot_predict(fresh_check, host):
    name = host.backend.get_hostname()
    assert fresh_check.returncode == 0, fresh_check.stdout[-6000:] + fresh_check.stderr[-3000:]
    # The result callback wraps long messages: compare with blanks normalised.
    output = " ".join(fresh_check.stdout.split())
    expected = f"{name} has no python3-apt, so check mode cannot tell which version of prometheus apt would install"
    assert expected in output
    assert f"prometheus is not installed on {name} yet, so check mode cannot tell" in output


def test_check_mode_installed_nothing(fresh_check, host):
    assert fresh_check.returncode == 0
    for package in ("prometheus", "prometheus-alertmanager", "redis-server", "python3-apt"):
        assert not host.package(package).is_installed, package
    assert not host.file("/etc/prometheus").exists

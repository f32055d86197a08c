"""--check of the whole stack on minimal Debian 12 and 13 hosts: no python3-apt, no apt lists.

Check mode cannot ask apt anything there; the roles say so and carry on, and nothing is
installed or started: with every stage at once, and with the stage tags that come after
install alone (they find nothing installed to configure or start), Sentinel included. The
install tag alone is a subset of the run with every stage.
"""

import pytest

testinfra_hosts = ["tags-fresh-12", "tags-fresh-13"]

ROLES = ["node_exporter", "redis", "redis_exporter", "alertmanager", "prometheus"]
# Sentinel on too, watching a one-host set (the host itself), so its stage runs.
SENTINEL = {"stack_hosts": "fresh", "redis_sentinel_enabled": True, "redis_primary": "{{ inventory_hostname }}",
            "redis_sentinel_quorum": 1}
STAGES = {
    "all": [],
    "configure": [f"{role}_configure" for role in ROLES],
    "service": [f"{role}_service" for role in ROLES],
    "sentinel": ["redis_sentinel"],
}


@pytest.fixture(scope="module", params=sorted(STAGES))
def fresh_check(request, run_playbook):
    return request.param, run_playbook("converge.yml", SENTINEL, check=True, tags=STAGES[request.param])


def test_check_mode_succeeds_and_says_what_it_cannot_predict(fresh_check, host):
    stage, result = fresh_check
    name = host.backend.get_hostname()
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    # The result callback wraps long messages: compare with blanks normalised.
    output = " ".join(result.stdout.split())
    if stage == "all":
        expected = f"{name} has no python3-apt, so check mode cannot tell which version of prometheus apt would install"
        assert expected in output
    assert f"redis-sentinel is not installed on {name} yet, so check mode cannot tell" in output


def test_check_mode_installed_nothing(fresh_check, host):
    assert fresh_check[1].returncode == 0
    for package in ("prometheus", "prometheus-alertmanager", "redis-server", "redis-sentinel", "python3-apt"):
        assert not host.package(package).is_installed, package
    assert not host.file("/etc/prometheus").exists

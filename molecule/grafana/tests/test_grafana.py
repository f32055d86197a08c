"""The grafana role, verified as far as this machine allows, and all the way with a real Grafana.

Always (no Grafana needed): the signed repository source and its pinned key, apt reading
the repository and refusing one signed by another key, grafana.ini's secure defaults,
owners and modes, the provisioning files, the dashboards on disk and their pruning, the
refusals (weak admin password, Grafana's default secret key, a changed secret key on an
existing install, a dashboard without uid, an exposed /metrics), and --check/--diff.

With TRADPAL_GRAFANA_PACKAGE naming a real Grafana .deb or release .tar.gz (see the
README), also the running Grafana: /api/health, the admin login and a changed admin
password on the existing install, the provisioned datasources answering their health
check through Grafana, the dashboards in their folders, a datasource change applied
without a restart, and a removed dashboard deleted. Without one these tests are skipped
with that reason: Grafana cannot be obtained here, and nothing stands in for it.
"""

import hashlib
import json
import os
import re
from pathlib import Path

import pytest
import yaml
from testinfra.utils.ansible_runner import AnsibleRunner

testinfra_hosts = AnsibleRunner(os.environ["MOLECULE_INVENTORY_FILE"]).get_hosts("grafana")

REPO = Path(os.environ["MOLECULE_PROJECT_DIRECTORY"])
SCENARIO = Path(os.environ["MOLECULE_SCENARIO_DIRECTORY"])
SHIPPED = sorted((REPO / "roles" / "grafana" / "files" / "dashboards").glob("*.json"))
VARS = yaml.safe_load((SCENARIO / "vars/grafana.yml").read_text())
ADMIN_PASSWORD = VARS["grafana_admin_password"]
SECRET_KEY = VARS["grafana_secret_key"]
SECRETS = [ADMIN_PASSWORD, SECRET_KEY, VARS["grafana_smtp"]["password"]]
API = "http://127.0.0.1:3000"

SUPPLIED = os.environ.get("TRADPAL_GRAFANA_PACKAGE", "")
needs_grafana = pytest.mark.skipif(
    not SUPPLIED,
    reason="no Grafana package or tarball supplied (TRADPAL_GRAFANA_PACKAGE): Grafana cannot be obtained on this "
    "machine, so the running server is not verified here",
)


def recap_changed(output):
    """changed=N of the grafana host in the PLAY RECAP of an ansible-playbook run."""
    found = re.findall(r"^grafana\s*:\s*ok=\d+\s+changed=(\d+)\s", output, re.M)
    assert found, output
    return int(found[-1])


def file_sha(host, path):
    return host.check_output(f"sha256sum {path}").split()[0]


def converge(run_playbook, extra_vars=None, **options):
    return run_playbook("converge.yml", extra_vars, **options)


def assert_refused(host, run_playbook, extra_vars, message, secrets=()):
    """The run fails with message before anything changes, and shows none of the secrets."""
    before = {path: file_sha(host, path) for path in ("/etc/grafana/grafana.ini", "/etc/grafana/admin_password")}
    result = converge(run_playbook, extra_vars)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert message in output, output
    for secret in SECRETS + list(secrets):
        assert secret not in output, "a secret was printed"
    assert {path: file_sha(host, path) for path in before} == before


def test_skip_tags_match_what_was_supplied():
    skipped = os.environ.get("ANSIBLE_SKIP_TAGS", "")
    if SUPPLIED:
        assert "grafana_package" not in skipped, "a Grafana was supplied: set TRADPAL_GRAFANA_SKIP_TAGS empty"
    else:
        assert skipped == "grafana_package"


# --- the repository ------------------------------------------------------------------

def test_repository_is_a_deb822_source_with_its_own_key(host):
    source = host.file("/etc/apt/sources.list.d/grafana.sources")
    assert source.user == "root"
    assert source.mode == 0o644
    fields = dict(re.findall(r"^([A-Za-z-]+): (.*)$", source.content_string, re.M))
    assert fields == {
        "Types": "deb",
        "URIs": "http://127.0.0.1:8080/grafana-apt",
        "Suites": "stable",
        "Components": "main",
        "Signed-By": "/etc/apt/keyrings/grafana.asc",
    }
    keyring = host.file("/etc/apt/keyrings/grafana.asc")
    assert keyring.mode == 0o644
    assert keyring.content_string == host.check_output("curl -fsS http://127.0.0.1:8080/grafana-apt/gpg.key") + "\n"
    # Pinned to this source only, never trusted for every repository.
    assert "grafana" not in host.check_output("ls /etc/apt/trusted.gpg.d/")
    assert not host.file("/etc/apt/trusted.gpg").exists


def test_apt_reads_the_repository_with_the_pinned_key(host):
    update = host.run("apt-get update")
    assert update.rc == 0, update.stderr
    output = update.stdout + update.stderr
    assert re.search(r"^(Hit|Get):\d+ http://127.0.0.1:8080/grafana-apt stable InRelease", output, re.M), output
    assert not re.search(r"NO_PUBKEY|not signed|Err:", update.stdout + update.stderr)
    assert host.file("/var/lib/apt/lists/127.0.0.1:8080_grafana-apt_dists_stable_InRelease").exists


def test_the_key_can_come_from_a_file_on_the_controller(host, run_playbook, tmp_path):
    key = tmp_path / "grafana.asc"
    key.write_text(host.check_output("curl -fsS http://127.0.0.1:8080/grafana-apt/gpg.key") + "\n")
    result = converge(run_playbook, {"grafana_apt_key_file": str(key)})
    assert result.returncode == 0, result.stdout
    assert recap_changed(result.stdout) == 0, "the same key, from a file: nothing to change"


def test_a_repository_signed_by_another_key_is_refused(host, run_playbook):
    try:
        result = converge(run_playbook, {"grafana_apt_repository_url": "http://127.0.0.1:8080/foreign-apt"})
        output = result.stdout + result.stderr
        assert result.returncode != 0, output
        assert re.search(r"NO_PUBKEY|not signed|signatures couldn't be verified", output), output
    finally:
        restored = converge(run_playbook)
    assert restored.returncode == 0, restored.stdout


# --- configuration on disk -------------------------------------------------------------

def ini_sections(text):
    sections, current = {}, None
    for line in text.splitlines():
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
        elif "=" in line and not line.startswith((";", "#")):
            key, value = line.split("=", 1)
            current[key.strip()] = value.strip()
    return sections


def test_grafana_ini_has_secure_defaults_and_the_inputs(host):
    ini = host.file("/etc/grafana/grafana.ini")
    assert (ini.user, ini.group, ini.mode) == ("root", "grafana", 0o640)
    sections = ini_sections(ini.content_string)
    assert sections["users"] == {"allow_sign_up": "false", "allow_org_create": "false"}
    assert sections["auth.anonymous"] == {"enabled": "false", "hide_version": "true"}
    assert sections["security"]["disable_gravatar"] == "true"
    assert sections["security"]["cookie_secure"] == "false"  # plain HTTP here
    assert sections["security"]["secret_key"] == SECRET_KEY
    # Read from its own file on the first start, so a changed password needs no restart.
    assert sections["security"]["admin_password"] == "$__file{/etc/grafana/admin_password}"  # noqa: S105
    assert sections["analytics"]["reporting_enabled"] == "false"
    assert sections["snapshots"]["external_enabled"] == "false"
    assert sections["server"]["http_addr"] == "127.0.0.1"
    assert sections["server"]["http_port"] == "3000"
    assert sections["log"]["level"] == "info"  # grafana_ini merged in
    # Grafana treats # and ; as comments: such a value is triple-quoted.
    assert sections["smtp"]["password"] == '"""molecule-smtp;password#1"""'  # noqa: S105
    assert sections["smtp"]["enabled"] == "true"


def test_secrets_and_directories_are_not_world_readable(host):
    admin_file = host.file("/etc/grafana/admin_password")
    assert (admin_file.user, admin_file.group, admin_file.mode) == ("root", "grafana", 0o640)
    assert admin_file.content_string == ADMIN_PASSWORD
    for path in ("/etc/grafana", "/etc/grafana/provisioning", "/etc/grafana/provisioning/datasources",
                 "/etc/grafana/provisioning/dashboards", "/var/lib/grafana", "/var/lib/grafana/dashboards",
                 "/var/lib/grafana/plugins", "/var/log/grafana"):
        directory = host.file(path)
        assert directory.is_directory, path
        assert directory.mode & 0o007 == 0, path
        assert directory.group == "grafana", path


def test_datasources_are_provisioned_with_stable_uids(host):
    provisioned = host.file("/etc/grafana/provisioning/datasources/tradpal.yml")
    assert (provisioned.user, provisioned.group, provisioned.mode) == ("root", "grafana", 0o640)
    document = yaml.safe_load(provisioned.content_string)
    assert document["apiVersion"] == 1
    assert document["prune"] is True
    by_uid = {source["uid"]: source for source in document["datasources"]}
    assert sorted(by_uid) == ["tradpal-alertmanager", "tradpal-prometheus"]
    prometheus = by_uid["tradpal-prometheus"]
    assert (prometheus["type"], prometheus["url"]) == ("prometheus", "http://127.0.0.1:9090")
    assert prometheus["isDefault"] is True
    assert prometheus["jsonData"]["httpMethod"] == "POST"
    assert prometheus["jsonData"]["timeInterval"] == "15s"
    alertmanager = by_uid["tradpal-alertmanager"]
    assert (alertmanager["type"], alertmanager["jsonData"]["implementation"]) == ("alertmanager", "prometheus")


def test_dashboards_are_provisioned_in_their_folders(host):
    providers = yaml.safe_load(host.file("/etc/grafana/provisioning/dashboards/tradpal.yml").content_string)
    by_name = {provider["name"]: provider for provider in providers["providers"]}
    assert sorted(by_name) == ["operations", "tradpal"]
    assert (by_name["tradpal"]["folder"], by_name["tradpal"]["folderUid"]) == ("TradPal", "tradpal")
    assert by_name["tradpal"]["options"]["path"] == "/var/lib/grafana/dashboards/tradpal"
    assert by_name["operations"]["folderUid"] == "operations"
    assert by_name["tradpal"]["disableDeletion"] is False
    installed = sorted(host.file("/var/lib/grafana/dashboards/tradpal").listdir())
    assert SHIPPED, "the role ships no dashboards"
    assert installed == [path.name for path in SHIPPED]
    for path in SHIPPED:
        on_host = host.file(f"/var/lib/grafana/dashboards/tradpal/{path.name}")
        assert (on_host.user, on_host.group, on_host.mode) == ("root", "grafana", 0o640)
        assert on_host.sha256sum == hashlib.sha256(path.read_bytes()).hexdigest()
    assert host.file("/var/lib/grafana/dashboards/operations").listdir() == ["molecule-ops.json"]


def test_dashboards_and_folders_no_longer_declared_are_removed(host, run_playbook):
    host.run("mkdir -p /var/lib/grafana/dashboards/retired && touch /var/lib/grafana/dashboards/retired/old.json "
             "/var/lib/grafana/dashboards/tradpal/stray.json")
    result = converge(run_playbook)
    assert result.returncode == 0, result.stdout
    assert not host.file("/var/lib/grafana/dashboards/retired").exists
    assert not host.file("/var/lib/grafana/dashboards/tradpal/stray.json").exists
    assert recap_changed(result.stdout) == 1  # the one removal task


# --- refusals -------------------------------------------------------------------------

@pytest.mark.parametrize("password", ["admin", "Admin", "grafana123"])
def test_weak_admin_password_is_refused(host, run_playbook, password):
    assert_refused(host, run_playbook, {"grafana_admin_password": password}, "grafana_admin_password:")


def test_grafanas_default_secret_key_is_refused(host, run_playbook):
    default_key = "SW2YcwTIb9zpOOhoPsMm"
    assert_refused(host, run_playbook, {"grafana_secret_key": default_key}, "grafana_secret_key:", [default_key])


def test_changing_the_secret_key_of_an_existing_install_needs_consent(host, run_playbook):
    changed_key = {"grafana_secret_key": "molecule-grafana-secret-key-2"}
    assert_refused(host, run_playbook, changed_key, "grafana_secret_key differs from the key", changed_key.values())
    consented = converge(run_playbook, dict(changed_key, grafana_secret_key_change=True), check=True)
    assert consented.returncode == 0, consented.stdout
    assert recap_changed(consented.stdout) >= 1


def test_an_install_on_grafanas_default_key_keeps_it_unless_told(host, run_playbook):
    """A database exists and grafana.ini sets no key: Grafana encrypted with its default."""
    host.run("sed -i '/^secret_key = /d' /etc/grafana/grafana.ini && touch /var/lib/grafana/grafana.db")
    try:
        assert_refused(host, run_playbook, {}, "grafana_secret_key differs from the key")
    finally:
        host.run("rm -f /var/lib/grafana/grafana.db")
        restored = converge(run_playbook)
    assert restored.returncode == 0, restored.stdout
    assert f"secret_key = {SECRET_KEY}" in host.file("/etc/grafana/grafana.ini").content_string


@pytest.mark.parametrize(
    ("extra_vars", "message"),
    [
        ({"grafana_ini": {"security": {"secret_key": "molecule-grafana-secret-key-9"}}}, "grafana_ini must not set"),
        ({"grafana_ini": {"paths": {"data": "/srv/grafana"}}}, "grafana_ini must not set [paths]"),
        ({"grafana_datasources": [{"name": "Second", "type": "prometheus", "uid": "second", "isDefault": True,
                                   "url": "http://127.0.0.1:9091"}]}, "only one datasource can be isDefault"),
        ({"grafana_datasources": [{"name": "Prometheus", "type": "prometheus", "uid": "again",
                                   "url": "http://127.0.0.1:9091"}]}, "every datasource needs its own name"),
        ({"grafana_datasources": [{"name": "No uid", "type": "prometheus", "url": "http://127.0.0.1:9091"}]},
         "every datasource needs its own uid"),
        ({"grafana_smtp": {"host": "smtp.tradpal.test:587", "password": "molecule-smtp-$__env{HOME}"}},
         "Grafana would expand"),
    ],
    ids=["ini-secret-key", "ini-paths", "two-defaults", "same-name", "no-uid", "expanded-secret"],
)
def test_provisioning_and_ini_conflicts_are_refused(host, run_playbook, extra_vars, message):
    assert_refused(host, run_playbook, extra_vars, message)


def test_a_dashboard_without_uid_is_refused(host, run_playbook, tmp_path):
    (tmp_path / "no-uid.json").write_text(json.dumps({"title": "No uid", "panels": []}))
    providers = VARS["grafana_dashboard_providers"] + [{"name": "broken", "dashboards": [str(tmp_path)]}]
    providers[0] = dict(providers[0], dashboards=[str(SCENARIO / "files" / "dashboards")])
    assert_refused(host, run_playbook, {"grafana_dashboard_providers": providers}, "no-uid.json has no uid")


def test_metrics_beyond_loopback_need_basic_auth(host, run_playbook):
    assert_refused(host, run_playbook, {"grafana_listen_address": "0.0.0.0:3000"}, "set grafana_metrics_username")


@pytest.mark.parametrize(
    "grafana_ini",
    [{"auth.anonymous": {"enabled": True}}, {"auth.proxy": {"enabled": True, "header_name": "X-WEBAUTH-USER"}}],
    ids=["anonymous", "proxy-without-whitelist"],
)
def test_access_without_login_beyond_loopback_needs_the_opt_in(host, run_playbook, grafana_ini):
    open_listen = {"grafana_listen_address": "0.0.0.0:3000", "grafana_metrics_username": "molecule-metrics",
                   "grafana_metrics_password": "molecule-metrics-password-5b"}
    assert_refused(
        host, run_playbook, {**open_listen, "grafana_ini": grafana_ini},
        "grafana_listen_address (0.0.0.0:3000) listens on every address without authentication",
    )
    # The same access on loopback is the user's choice: no exposure refusal.
    result = converge(run_playbook, {"grafana_ini": grafana_ini}, check=True)
    assert "without authentication" not in " ".join((result.stdout + result.stderr).split())


def test_check_and_diff_change_nothing_and_show_no_secret(host, run_playbook):
    result = converge(run_playbook, check=True, diff=True)
    assert result.returncode == 0, result.stdout
    assert recap_changed(result.stdout) == 0, result.stdout
    for secret in SECRETS:
        assert secret not in result.stdout + result.stderr


# --- the running Grafana (only with a supplied package or tarball) ----------------------

def api(host, path, *, login=("admin", ADMIN_PASSWORD)):
    """(HTTP status, parsed JSON or text) of a GET of Grafana's API from inside the container."""
    auth = "-u %s:%s" % login if login else ""
    result = host.run(f"curl -s {auth} -w '\\n%{{http_code}}' {API}{path}")
    text, status = result.stdout.rsplit("\n", 1)
    try:
        return int(status), json.loads(text)
    except ValueError:
        return int(status or 0), text


@needs_grafana
def test_grafana_runs_as_its_user_on_loopback_and_is_healthy(host):
    assert host.service("grafana-server").is_running
    assert host.service("grafana-server").is_enabled
    assert "grafana" in host.check_output("ps -o user= -p $(systemctl show -p MainPID --value grafana-server)")
    assert host.socket("tcp://127.0.0.1:3000").is_listening
    assert not host.socket("tcp://0.0.0.0:3000").is_listening
    status, health = api(host, "/api/health", login=None)
    assert status == 200 and health["database"] == "ok"
    assert "version" not in health  # hide_version


@needs_grafana
def test_only_the_declared_admin_password_logs_in(host):
    assert api(host, "/api/user")[0] == 200
    assert api(host, "/api/user", login=("admin", "wrong-" + SECRET_KEY))[0] == 401
    assert api(host, "/api/search", login=None)[0] == 401


@needs_grafana
def test_datasources_answer_through_grafana(host, wait_for):
    for uid, kind in (("tradpal-prometheus", "prometheus"), ("tradpal-alertmanager", "alertmanager")):
        status, source = api(host, f"/api/datasources/uid/{uid}")
        assert status == 200 and source["type"] == kind
        assert source["readOnly"] is True  # provisioned

    # Prometheus has a backend health check; Alertmanager's datasource has none, so it is
    # asked through Grafana's datasource proxy instead.
    def answered(path, check):
        status, body = api(host, path)
        return (status, body) if status == 200 and isinstance(body, dict) and check(body) else None

    health = wait_for(lambda: answered("/api/datasources/uid/tradpal-prometheus/health",
                                       lambda body: body.get("status") == "OK"), timeout=60)
    assert health, api(host, "/api/datasources/uid/tradpal-prometheus/health")
    status = wait_for(lambda: answered("/api/datasources/proxy/uid/tradpal-alertmanager/api/v2/status",
                                       lambda body: "cluster" in body), timeout=60)
    assert status, api(host, "/api/datasources/proxy/uid/tradpal-alertmanager/api/v2/status")


@needs_grafana
def test_dashboards_are_in_their_folders(host, wait_for):
    wanted = {json.loads(path.read_text())["uid"]: "tradpal" for path in SHIPPED}
    wanted["molecule-ops"] = "operations"

    def found():
        status, hits = api(host, "/api/search?type=dash-db")
        return {hit["uid"]: hit.get("folderUid") for hit in hits} if status == 200 else {}

    assert wait_for(lambda: found() == wanted, timeout=90), found()


@needs_grafana
def test_a_changed_admin_password_is_applied_to_the_existing_install(host, run_playbook, main_pid):
    new = "molecule-grafana-admin-2"
    pid = main_pid(host, "grafana-server")
    try:
        result = converge(run_playbook, {"grafana_admin_password": new})
        assert result.returncode == 0, result.stdout
        assert new not in result.stdout
        assert api(host, "/api/user", login=("admin", new))[0] == 200
        assert api(host, "/api/user")[0] == 401
        assert main_pid(host, "grafana-server") == pid  # no restart for a password
    finally:
        restored = converge(run_playbook)
    assert restored.returncode == 0, restored.stdout
    assert api(host, "/api/user")[0] == 200


@needs_grafana
def test_a_datasource_change_is_reloaded_without_a_restart(host, run_playbook, main_pid):
    pid = main_pid(host, "grafana-server")
    try:
        result = converge(run_playbook, {"grafana_prometheus_scrape_interval": "30s"})
        assert result.returncode == 0, result.stdout
        assert api(host, "/api/datasources/uid/tradpal-prometheus")[1]["jsonData"]["timeInterval"] == "30s"
        assert main_pid(host, "grafana-server") == pid
    finally:
        restored = converge(run_playbook)
    assert restored.returncode == 0, restored.stdout
    assert api(host, "/api/datasources/uid/tradpal-prometheus")[1]["jsonData"]["timeInterval"] == "15s"


@needs_grafana
def test_a_dashboard_no_longer_declared_is_deleted(host, run_playbook, wait_for):
    try:
        result = converge(run_playbook, {"grafana_dashboard_providers": []})
        assert result.returncode == 0, result.stdout
        assert wait_for(lambda: api(host, "/api/dashboards/uid/molecule-ops")[0] == 404, timeout=90)
    finally:
        restored = converge(run_playbook)
    assert restored.returncode == 0, restored.stdout

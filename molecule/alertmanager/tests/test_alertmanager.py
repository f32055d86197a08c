"""Alertmanager alone, from the distribution package: dedicated account, explicit flags,
TLS and basic auth, the rendered config live, routing and inhibition as configured, the
Watchdog sent to its dead man's switch and nowhere else, amtool for the operator,
silences kept across restarts; invalid input refused without touching
the running Alertmanager; no secret in a --diff converge; config changes reload, not restart."""

import base64
import json
import re
import time
from datetime import datetime, timedelta, timezone

import yaml

URL = "https://127.0.0.1:9093"
CA = "/etc/ssl/molecule-cert.pem"
CREDENTIALS = "operator:molecule-web-password"
CURL = f"curl -fsS --cacert {CA} -u {CREDENTIALS}"
CONFIG = "/etc/alertmanager/alertmanager.yml"
SECRETS = ["molecule-smtp-secret-1", "molecule-slack-secret-1", "molecule-web-password", "molecule-watchdog-secret-1"]
# The dead man's switch of converge.yml: a listener on the container's loopback, started by
# the Watchdog test, that logs every call (time, path, body) as a JSON line.
SWITCH_UNIT = "molecule-watchdog-switch"
SWITCH_LOG = "/run/molecule-watchdog-switch.log"
SWITCH_PATH = "/ping/molecule-watchdog-secret-1"
SWITCH_SCRIPT = f"""
import http.server, json, time
class Switch(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with open({SWITCH_LOG!r}, "a") as log:
            log.write(json.dumps({{"at": time.time(), "path": self.path, "body": body}}) + "\\n")
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", 9099), Switch).serve_forever()
"""
UNIT = "prometheus-alertmanager"
# How Alertmanager's API shows a secret.
MASKED = "<secret>"


def api(host, path):
    return json.loads(host.check_output(f"{CURL} {URL}{path}"))


def config_metrics(host):
    """Alertmanager's own record of its configuration: last load successful (1/0), when the
    last successful load happened, and a hash of the configuration it runs."""
    body = host.check_output(f"{CURL} {URL}/metrics")
    names = ["config_last_reload_successful", "config_last_reload_success_timestamp_seconds", "config_hash"]
    return tuple(float(re.search(rf"^alertmanager_{name} (\S+)$", body, re.M).group(1)) for name in names)


def test_runs_as_the_dedicated_account(host, main_pid):
    service = host.service(UNIT)
    assert service.is_running
    assert service.is_enabled
    assert host.check_output(f"ps -o user= -p {main_pid(host, UNIT)}") == "alertmanager"
    assert host.user("alertmanager").shell == "/usr/sbin/nologin"


def test_every_flag_is_explicit_and_clustering_is_off(host, main_pid):
    argv = host.check_output(f"tr '\\0' '\\n' < /proc/{main_pid(host, UNIT)}/cmdline").splitlines()
    assert argv[0] == "/usr/bin/prometheus-alertmanager"
    for flag in [
        "--config.file=/etc/alertmanager/alertmanager.yml",
        "--storage.path=/var/lib/alertmanager",
        "--data.retention=120h",
        "--web.listen-address=0.0.0.0:9093",
        "--web.config.file=/etc/alertmanager/web.yml",
        "--cluster.listen-address=",
    ]:
        assert flag in argv
    assert api(host, "/api/v2/status")["cluster"]["status"] == "disabled"


def test_api_needs_tls_and_the_password(host):
    code = "curl -s -o /dev/null -w '%{http_code}' --cacert " + CA
    assert host.run(f"{code} {URL}/api/v2/status").stdout == "401"
    assert host.run(f"{code} -u operator:wrong {URL}/api/v2/status").stdout == "401"
    # Plain HTTP gets a TLS-level refusal (Go answers 400), never the API.
    plain = host.run(f"curl -s -o /dev/null -w '%{{http_code}}' -u {CREDENTIALS} http://127.0.0.1:9093/api/v2/status")
    assert plain.stdout == "400"


def test_secret_files_are_not_world_readable(host):
    config = host.file(CONFIG)
    assert (config.user, config.group, config.mode) == ("root", "alertmanager", 0o640)
    amtool_http = host.file("/etc/alertmanager/amtool_http.yml")
    assert (amtool_http.user, amtool_http.group, amtool_http.mode) == ("root", "root", 0o600)
    web = host.file("/etc/alertmanager/web.yml")
    assert web.mode == 0o640
    assert "molecule-web-password" not in web.content_string


def test_status_serves_the_rendered_config(host):
    rendered = yaml.safe_load(host.file(CONFIG).content_string)
    live = yaml.safe_load(api(host, "/api/v2/status")["config"]["original"])
    assert live["route"]["receiver"] == rendered["route"]["receiver"] == "email-notifications"
    assert live["route"]["group_by"] == ["alertname"]
    assert (live["route"]["group_wait"], live["route"]["group_interval"], live["route"]["repeat_interval"]) == (
        "10s",
        "10s",
        "1h",
    )
    assert [r["receiver"] for r in live["route"]["routes"]] == ["watchdog", "critical-notifications"]
    watchdog = live["route"]["routes"][0]
    assert watchdog["matchers"] == ['alertname="Watchdog"']
    assert (watchdog["group_wait"], watchdog["group_interval"], watchdog["repeat_interval"]) == ("0s", "10s", "20s")
    assert live["inhibit_rules"] == rendered["inhibit_rules"]
    assert live["templates"] == ["/etc/alertmanager/templates/molecule.tmpl"]
    assert [r["name"] for r in live["receivers"]] == ["email-notifications", "critical-notifications", "watchdog"]
    assert live["receivers"][2]["webhook_configs"][0]["send_resolved"] is False
    critical = live["receivers"][1]
    assert critical["email_configs"][0]["to"] == "oncall@molecule.test"
    assert critical["slack_configs"][0]["channel"] == "#alerts"
    assert critical["slack_configs"][0]["send_resolved"] is True
    assert live["global"]["smtp_auth_password"] == MASKED
    assert rendered["global"]["smtp_auth_password"] == SECRETS[0]


def test_alerts_are_routed_and_a_critical_mutes_the_matching_warning(host, wait_for):
    name = f"MoleculeProbe{int(time.time())}"
    alerts = [
        {"labels": {"alertname": name, "severity": "critical", "instance": "probe:1"}},
        {"labels": {"alertname": name, "severity": "warning", "instance": "probe:1"}},
        {"labels": {"alertname": name, "severity": "warning", "instance": "probe:2"}},
    ]
    host.run_expect(
        [0],
        f"{CURL} -X POST -H 'Content-Type: application/json' -d '{json.dumps(alerts)}' {URL}/api/v2/alerts",
    )

    def routed_and_inhibited():
        got = api(host, f"/api/v2/alerts?filter=alertname%3D%22{name}%22")
        seen = {(a["labels"]["severity"], a["labels"]["instance"]): a for a in got}
        return seen if len(seen) == 3 and seen[("warning", "probe:1")]["status"]["inhibitedBy"] else None

    seen = wait_for(routed_and_inhibited, 20)
    assert seen, api(host, f"/api/v2/alerts?filter=alertname%3D%22{name}%22")
    assert [r["name"] for r in seen[("critical", "probe:1")]["receivers"]] == ["critical-notifications"]
    assert [r["name"] for r in seen[("warning", "probe:2")]["receivers"]] == ["email-notifications"]
    assert seen[("warning", "probe:1")]["status"]["state"] == "suppressed"
    assert seen[("warning", "probe:1")]["status"]["inhibitedBy"]
    assert seen[("warning", "probe:2")]["status"]["state"] == "active"


def test_operator_amtool_reaches_the_live_config(host):
    # No flags: URL, login and CA come from the amtool config the role wrote.
    assert host.check_output("amtool config routes test severity=critical") == "critical-notifications"
    assert host.check_output("amtool config routes test severity=warning") == "email-notifications"
    host.run_expect([0], "amtool config routes test --verify.receivers=critical-notifications severity=critical")


def test_the_watchdog_routes_to_its_receiver_only(host):
    # The rendered file (what the brief of issue #12 asks amtool about) and the live config.
    for source in [f"--config.file={CONFIG}", ""]:
        for labels in ["alertname=Watchdog severity=none", "alertname=Watchdog severity=critical"]:
            assert host.check_output(f"amtool config routes test {source} {labels}") == "watchdog"


def test_the_running_alertmanager_calls_the_switch_every_repeat_interval(host, wait_for):
    """A Watchdog as Prometheus sends it reaches the dead man's switch at once (group_wait 0s),
    then again every repeat_interval (20s here, checked every 10s), and no other receiver."""
    script = base64.b64encode(SWITCH_SCRIPT.encode()).decode()
    host.run(f"systemctl stop {SWITCH_UNIT}; systemctl reset-failed {SWITCH_UNIT}; rm -f {SWITCH_LOG}")
    host.run_expect([0], f"echo {script} | base64 -d > /run/{SWITCH_UNIT}.py")
    host.run_expect([0], f"systemd-run --unit={SWITCH_UNIT} /usr/bin/python3 /run/{SWITCH_UNIT}.py")
    try:
        assert wait_for(lambda: host.run("curl -s -o /dev/null http://127.0.0.1:9099/").rc == 0, 20)
        # Ends by itself a minute later, as if its Prometheus had stopped; no resolved call follows.
        ends = (datetime.now(timezone.utc) + timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
        alert = [{"labels": {"alertname": "Watchdog", "severity": "none", "prometheus": "molecule"}, "endsAt": ends}]
        host.run_expect(
            [0],
            f"{CURL} -X POST -H 'Content-Type: application/json' -d '{json.dumps(alert)}' {URL}/api/v2/alerts",
        )

        def calls(at_least=1):
            log = host.file(SWITCH_LOG)
            got = [json.loads(line) for line in log.content_string.splitlines()] if log.exists else []
            return got if len(got) >= at_least else None

        first = wait_for(calls, 15)
        assert first, host.run(f"journalctl -u {UNIT} -n 20 --no-pager").stdout
        got = api(host, "/api/v2/alerts?filter=alertname%3D%22Watchdog%22")
        assert [r["name"] for a in got for r in a["receivers"]] == ["watchdog"]
        assert first[0]["path"] == SWITCH_PATH
        assert first[0]["body"]["receiver"] == "watchdog"
        assert first[0]["body"]["status"] == "firing"
        assert [a["labels"]["alertname"] for a in first[0]["body"]["alerts"]] == ["Watchdog"]

        repeated = wait_for(lambda: calls(2), 45)
        assert repeated, calls()
        interval = repeated[1]["at"] - repeated[0]["at"]
        assert 15 <= interval <= 35, interval
        assert all(call["body"]["status"] == "firing" for call in repeated)
    finally:
        host.run(f"systemctl stop {SWITCH_UNIT}; systemctl reset-failed {SWITCH_UNIT}")


def test_silences_survive_a_restart(host, wait_for):
    silence = host.check_output(
        "amtool silence add --duration=1h --author=molecule --comment=persistence alertname=MoleculePersist"
    )
    try:
        host.run_expect([0], f"systemctl restart {UNIT}")
        assert wait_for(lambda: host.run(f"{CURL} {URL}/-/ready").rc == 0, 30)
        assert silence in host.check_output("amtool silence query -q alertname=MoleculePersist").split()
    finally:
        host.run(f"amtool silence expire {silence}")


def test_an_invalid_route_is_refused_and_the_running_config_stays(host, run_playbook, main_pid):
    before = host.check_output(f"sha256sum {CONFIG}")
    pid = main_pid(host, UNIT)
    result = run_playbook(
        "converge.yml", {"alertmanager_route": {"receiver": "no-such-receiver", "group_by": ["alertname"]}}
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert 'undefined receiver "no-such-receiver" used in route' in output, output
    assert host.check_output(f"sha256sum {CONFIG}") == before
    assert main_pid(host, UNIT) == pid
    live = yaml.safe_load(api(host, "/api/v2/status")["config"]["original"])
    assert live["route"]["receiver"] == "email-notifications"


def test_placeholder_and_missing_secrets_are_refused_before_any_change(host, run_playbook):
    before = host.check_output(f"sha256sum {CONFIG}")
    seed_slack = "https://hooks.slack.com/services/YOUR/SLACK/WEBHOOK"
    result = run_playbook(
        "converge.yml",
        {
            "alertmanager_smtp_auth_password": "",
            "alertmanager_receivers": [
                {
                    "name": "email-notifications",
                    "email_configs": [{"to": "oncall@molecule.test", "auth_password": "your-password"}],
                },
                {"name": "critical-notifications", "slack_configs": [{"api_url": seed_slack}]},
            ],
            "alertmanager_basic_auth_users": {"operator": "admin"},
        },
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    # Every problem is named at once, by variable or config key, never by value.
    assert "SMTP auth is configured (smtp_auth_username) without a password" in output, output
    assert "alertmanager_receivers[0].email_configs[0].auth_password: is a placeholder" in output
    assert "alertmanager_receivers[1].slack_configs[0].api_url: is a placeholder" in output
    assert "alertmanager_basic_auth_users.operator: is a well-known password" in output
    assert "your-password" not in output and "YOUR/SLACK" not in output
    assert re.search(r"alertmanager-single\s*:.*\schanged=0\s", output), output
    assert host.check_output(f"sha256sum {CONFIG}") == before


def test_changed_secrets_reload_without_restart_and_never_show_in_diff(host, run_playbook, main_pid):
    pid = main_pid(host, UNIT)
    _unused, stamp_before, hash_before = config_metrics(host)
    changed = {
        "alertmanager_smtp_auth_password": "molecule-smtp-secret-2",
        "alertmanager_slack_api_url": "https://hooks.slack.test/services/TMOLECULE/BMOLECULE/molecule-slack-secret-2",
    }
    try:
        result = run_playbook("converge.yml", changed, diff=True)
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert re.search(r"changed: \[alertmanager-single\]", output)
        for secret in [*SECRETS, "molecule-smtp-secret-2", "molecule-slack-secret-2"]:
            assert secret not in output
        assert "molecule-smtp-secret-2" in host.file(CONFIG).content_string
        # The running Alertmanager loaded the new file: a successful load after the run, and
        # the hash of the configuration it runs changed. Reloaded, not restarted.
        successful, stamp_after, hash_after = config_metrics(host)
        assert successful == 1
        assert stamp_after > stamp_before
        assert hash_after != hash_before
        assert main_pid(host, UNIT) == pid
    finally:
        restored = run_playbook("converge.yml")
        assert restored.returncode == 0, restored.stdout
    assert "molecule-smtp-secret-1" in host.file(CONFIG).content_string
    assert config_metrics(host)[2] == hash_before


def test_a_silence_from_the_network_without_credentials_is_refused(host):
    # The container's own address on the scenario network, as any other machine reaches it.
    address = host.check_output("hostname -I").split()[0]
    before = api(host, "/api/v2/silences")
    silence = json.dumps({
        "matchers": [{"name": "alertname", "value": ".+", "isRegex": True}],
        "startsAt": "2026-01-01T00:00:00Z", "endsAt": "2099-01-01T00:00:00Z",
        "createdBy": "intruder", "comment": "silence everything",
    })
    post = (f"curl -sk -o /dev/null -w '%{{http_code}}' -X POST -H 'Content-Type: application/json' "
            f"-d '{silence}' https://{address}:9093/api/v2/silences")
    assert host.run(post).stdout == "401"
    assert host.run(post.replace("curl -sk", "curl -sk -u operator:wrong")).stdout == "401"
    assert api(host, "/api/v2/silences") == before
    assert host.check_output(f"{CURL} -o /dev/null -w '%{{http_code}}' {URL}/-/ready") == "200"


def test_an_open_api_without_auth_is_refused_before_any_change(host, run_playbook, main_pid):
    before, pid = host.check_output(f"sha256sum {CONFIG} /etc/alertmanager/web.yml"), main_pid(host, UNIT)

    result = run_playbook("converge.yml", {"alertmanager_basic_auth_users": {}})

    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    assert ("alertmanager_web_listen_address (0.0.0.0:9093) listens on every address without authentication: "
            "set alertmanager_basic_auth_users, or set alertmanager_web_allow_unauthenticated: true") in output, output
    assert re.search(r"alertmanager-single\s*:.*\schanged=0\s", output), output
    assert host.check_output(f"sha256sum {CONFIG} /etc/alertmanager/web.yml") == before
    assert main_pid(host, UNIT) == pid


def _refused_untouched(host, run_playbook, main_pid, extra_vars, *, reason, secrets):
    """Run converge.yml with extra_vars: refused with reason shown, no secret in the output,
    alertmanager.yml and web.yml unchanged, the same Alertmanager still answering."""
    files = f"{CONFIG} /etc/alertmanager/web.yml"
    before, pid = host.check_output(f"sha256sum {files}"), main_pid(host, UNIT)
    result = run_playbook("converge.yml", extra_vars)
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    assert reason in output, output
    for secret in secrets:
        assert secret not in output, f"{secret!r} shown"
    assert host.check_output(f"sha256sum {files}") == before
    assert main_pid(host, UNIT) == pid
    assert host.run(f"{CURL} {URL}/-/ready").rc == 0
    return output


def test_a_slack_url_with_a_trailing_newline_is_refused_and_not_shown(host, run_playbook, main_pid):
    url = "https://hooks.slack.test/services/TMOLECULE/BMOLECULE/molecule-newline-secret\n"
    _refused_untouched(
        host, run_playbook, main_pid, {"alertmanager_slack_api_url": url},
        reason="alertmanager_slack_api_url: ends with a line break", secrets=["molecule-newline-secret"],
    )


def test_amtool_refusal_is_shown_with_the_secrets_masked(host, run_playbook, main_pid):
    # Both pass preflight; amtool rejects them and prints the whole URL.
    receivers = [
        {"name": "email-notifications", "webhook_configs": [{"url": "https://ops:molecule-hook-secret@ho st/h"}]},
        {"name": "critical-notifications"},
    ]
    output = _refused_untouched(
        host, run_playbook, main_pid, {"alertmanager_receivers": receivers},
        reason='invalid character " " in host name', secrets=["molecule-hook-secret", "ops:molecule"],
    )
    assert "alertmanager.yml was refused by its check" in output and "********" in output
    # A known secret with a control character inside: amtool quotes it Go-style (\a).
    bell = "https://hooks.slack.test/services/TMOLECULE/BMOLECULE/molecule-bell\u0007secret"
    output = _refused_untouched(
        host, run_playbook, main_pid, {"alertmanager_slack_api_url": bell},
        reason="invalid control character in URL", secrets=["molecule-bell", "TMOLECULE/BMOLECULE"],
    )


def test_a_missing_or_unreadable_tls_file_is_refused_before_the_web_config_changes(host, run_playbook, main_pid):
    _refused_untouched(
        host, run_playbook, main_pid, {"alertmanager_web_tls_cert_file": "/etc/ssl/molecule-missing.pem"},
        reason="/etc/ssl/molecule-missing.pem does not exist", secrets=[],
    )
    key = "/etc/ssl/molecule-root-only-key.pem"
    host.run(f"install -m 0600 -o root -g root /etc/ssl/molecule-key.pem {key}")
    try:
        _refused_untouched(
            host, run_playbook, main_pid, {"alertmanager_web_tls_key_file": key},
            reason=f"{key} is not readable by alertmanager", secrets=[],
        )
    finally:
        host.run(f"rm -f {key}")

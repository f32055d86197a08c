"""Standalone Redis + redis_exporter: auth, ACL users, AOF across restarts, disabled commands,
validated config, refusal to expose Redis without a password (directly, through
redis_extra_config, a nopass ACL rule or a bind to a foreign address), CONFIG REWRITE not
shadowing a later change; the exporter under its own account, as the least-privilege ACL
user, on loopback, never handing the password to a /scrape?target= of someone else's."""

import json
import re

import pytest

AUTH = "molecule-redis-password-7f3a"
APP_AUTH = "molecule-app-password-91c2"
MONITOR_AUTH = "molecule-monitor-password-4d2e"
SECRETS = (AUTH, APP_AUTH, MONITOR_AUTH)
EXPORTER_FILES = (
    "/etc/default/prometheus-redis-exporter",
    "/etc/redis_exporter/passwords.json",
    "/etc/systemd/system/prometheus-redis-exporter.service.d/tradpal.conf",
)


def refused(result, reason):
    """The run failed with reason in its output (normalised blanks), and showed no secret."""
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0, output
    assert reason in output, output
    for secret in SECRETS:
        assert secret not in output
    assert re.search(r"redis-single\s*:.*changed=0", output), output


def cli(host, command, auth=AUTH, user=None):
    """redis-cli on the host; the password goes through the environment, as in production."""
    prefix = f"REDISCLI_AUTH={auth} " if auth else ""
    user_flag = f"--user {user} " if user else ""
    return host.run(f"{prefix}redis-cli --no-auth-warning {user_flag}{command}")


@pytest.fixture
def config_state(main_pid):
    """config_state(host): the config files' checksums and Redis' PID, to prove that nothing changed."""

    def state(host):
        files = host.check_output("sha256sum /etc/redis/redis.conf /etc/redis/redis.tradpal.conf /etc/redis/users.acl")
        return files, main_pid(host, "redis-server")

    return state


def test_redis_runs_as_redis_under_systemd(host):
    service = host.service("redis-server")
    assert service.is_running
    assert service.is_enabled
    assert host.check_output("ps -o user= -C redis-server").split() == ["redis"]
    assert host.socket("tcp://127.0.0.1:6379").is_listening
    assert not host.socket("tcp://0.0.0.0:6379").is_listening


def test_ping_needs_the_password(host):
    anonymous = cli(host, "PING", auth=None)
    assert "NOAUTH" in anonymous.stdout + anonymous.stderr
    wrong = cli(host, "PING", auth="not-the-right-one")
    assert "WRONGPASS" in wrong.stdout + wrong.stderr
    assert cli(host, "PING").stdout.strip() == "PONG"


def test_acl_user_is_limited_to_its_keys(host):
    assert cli(host, "SET app:greeting hello", APP_AUTH, user="app").stdout.strip() == "OK"
    denied = cli(host, "GET other:key", APP_AUTH, user="app")
    assert "NOPERM" in denied.stdout + denied.stderr


def test_settings_are_live(host):
    assert cli(host, "CONFIG GET maxmemory").stdout.split() == ["maxmemory", str(64 * 1024 * 1024)]
    assert cli(host, "CONFIG GET maxmemory-policy").stdout.split() == ["maxmemory-policy", "allkeys-lru"]
    assert cli(host, "CONFIG GET appendonly").stdout.split() == ["appendonly", "yes"]
    assert cli(host, "CONFIG GET appendfsync").stdout.split() == ["appendfsync", "everysec"]
    assert cli(host, "CONFIG GET save").stdout.split() == ["save", "3600", "1", "300", "100", "60", "10000"]


def test_dangerous_commands_are_disabled(host):
    result = cli(host, "FLUSHALL")
    assert "unknown command" in result.stdout + result.stderr


def test_config_files_hold_secrets_for_redis_only(host):
    for path in ("/etc/redis/redis.conf", "/etc/redis/redis.tradpal.conf", "/etc/redis/users.acl"):
        config = host.file(path)
        assert (config.user, config.group, config.mode) == ("redis", "redis", 0o640), path
    acl = host.file("/etc/redis/users.acl").content_string
    assert AUTH not in acl and APP_AUTH not in acl
    assert re.search(r"^user default on #[0-9a-f]{64} ", acl, re.M)
    assert "include /etc/redis/redis.tradpal.conf" in host.file("/etc/redis/redis.conf").content_string


def test_data_survives_a_restart(host):
    assert cli(host, "SET molecule:persisted still-here").stdout.strip() == "OK"
    host.run_expect([0], "systemctl restart redis-server")
    assert cli(host, "GET molecule:persisted").stdout.strip() == "still-here"
    assert host.file("/var/lib/redis/appendonlydir").is_directory


def test_exporter_reports_redis_up(host, wait_for):
    service = host.service("prometheus-redis-exporter")
    assert service.is_running
    assert service.is_enabled

    def redis_up():
        body = host.run("curl -fsS http://127.0.0.1:9121/metrics").stdout
        return body if re.search(r"^redis_up 1$", body, re.M) else None

    body = wait_for(redis_up, 10)
    assert body, host.run("curl -sS http://127.0.0.1:9121/metrics").stdout[-2000:]
    assert re.search(r"^redis_connected_clients [1-9]", body, re.M)


def test_exporter_runs_as_its_own_account_and_password_is_not_visible(host, main_pid):
    assert MONITOR_AUTH not in host.check_output("ps -eo user,args")
    assert host.check_output("ps -o user= -C prometheus-redi").split() == ["redis_exporter"]
    environment = host.file("/etc/default/prometheus-redis-exporter")
    assert MONITOR_AUTH not in environment.content_string
    assert "--redis.password-file=/etc/redis_exporter/passwords.json" in environment.content_string
    pid = main_pid(host, "prometheus-redis-exporter")
    assert MONITOR_AUTH not in host.check_output(f"tr '\\0' '\\n' < /proc/{pid}/environ")
    passwords = host.file("/etc/redis_exporter/passwords.json")
    assert (passwords.user, passwords.group, passwords.mode) == ("root", "redis_exporter", 0o640)
    # Only the role's own Redis address is in the map.
    # (keyed as 1.45 and as 1.69 look it up, with the user).
    assert json.loads(passwords.content_string) == {
        "redis://127.0.0.1:6379": MONITOR_AUTH,
        "redis://redis_exporter@127.0.0.1:6379": MONITOR_AUTH,
    }
    # Prometheus's and node_exporter's account (Debian's "prometheus") cannot read it.
    assert host.run("runuser -u prometheus -- cat /etc/redis_exporter/passwords.json").rc != 0


def test_exporter_logs_in_as_the_least_privilege_user(host):
    assert "--redis.user=redis_exporter" in host.file("/etc/default/prometheus-redis-exporter").content_string
    # A scrape as that user works and asks for nothing its rules deny (ACL LOG stays empty).
    assert cli(host, "ACL LOG RESET").stdout.strip() == "OK"
    assert re.search(r"^redis_up 1$", host.check_output("curl -sS http://127.0.0.1:9121/metrics"), re.M)
    assert cli(host, "ACL LOG").stdout.strip() == ""
    reply = cli(host, "ACL GETUSER redis_exporter").stdout.splitlines()
    user = dict(zip(reply[::2], reply[1::2], strict=False))
    assert user["commands"].startswith("-@all ") and "+info" in user["commands"], user
    assert (user["keys"], user["channels"]) == ("", ""), user
    # That user reads INFO and nothing else: no key, no CONFIG (masterauth), no write.
    assert "redis_version" in cli(host, "INFO server", MONITOR_AUTH, user="redis_exporter").stdout
    denied = ("GET app:greeting", "CONFIG GET masterauth", "SET molecule:x y", "CLIENT KILL ID 1", "KEYS 'app:*'")
    for command in denied:
        result = cli(host, command, MONITOR_AUTH, user="redis_exporter")
        assert "NOPERM" in result.stdout + result.stderr, command


def test_exporter_listens_on_loopback_only(host):
    assert host.socket("tcp://127.0.0.1:9121").is_listening
    assert not host.socket("tcp://0.0.0.0:9121").is_listening


LISTENER = """
import socket, sys
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 16380))
server.listen(5)
server.settimeout(20)
conn, _ = server.accept()
conn.settimeout(3)
data = b""
try:
    while True:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
        conn.sendall(b"-ERR not redis\\r\\n")
except OSError:
    pass
open("/root/molecule-scrape-capture", "wb").write(data)
"""


def test_scrape_of_a_foreign_target_gets_no_password(host, wait_for):
    """/scrape?target=<a listener we control>: the exporter connects, but sends no AUTH and no password."""
    host.run("rm -f /root/molecule-scrape-capture")
    host.run(f"cat > /root/molecule-listener.py <<'EOF'\n{LISTENER}\nEOF")
    host.run("nohup timeout 30 python3 /root/molecule-listener.py >/dev/null 2>&1 &")
    assert wait_for(lambda: host.socket("tcp://127.0.0.1:16380").is_listening, 10)
    scraped = host.run("curl -sS 'http://127.0.0.1:9121/scrape?target=redis://127.0.0.1:16380'")
    assert re.search(r"^redis_up 0$", scraped.stdout, re.M), scraped.stdout[-2000:]
    captured = wait_for(lambda: host.file("/root/molecule-scrape-capture").exists, 15)
    assert captured
    data = host.check_output("cat -v /root/molecule-scrape-capture")
    # It did talk to the listener (the test can fail), but never authenticated.
    assert "INFO" in data or "CLIENT" in data, data
    assert "AUTH" not in data and MONITOR_AUTH not in data, data
    # The own Redis, through the same path, still gets the password.
    own = host.run("curl -sS 'http://127.0.0.1:9121/scrape?target=redis://127.0.0.1:6379'").stdout
    assert re.search(r"^redis_up 1$", own, re.M), own[-2000:]


@pytest.fixture
def exporter_state(main_pid):
    def state(host):
        return host.check_output(f"sha256sum {' '.join(EXPORTER_FILES)}"), main_pid(host, "prometheus-redis-exporter")

    return state


def test_exporter_open_listen_without_opt_in_is_refused(host, run_playbook, exporter_state):
    before = exporter_state(host)
    result = run_playbook("exporter.yml", {"redis_exporter_listen_address": ":9121"})
    refused(result, "redis_exporter_listen_address (:9121) listens on every address without authentication")
    assert "redis_exporter_allow_unauthenticated: true" in " ".join((result.stdout + result.stderr).split())
    assert exporter_state(host) == before
    assert re.search(r"^redis_up 1$", host.check_output("curl -sS http://127.0.0.1:9121/metrics"), re.M)


def test_exporter_as_the_default_user_is_refused(host, run_playbook, exporter_state):
    before = exporter_state(host)
    result = run_playbook("exporter.yml", {"redis_exporter_redis_user": "default"})
    refused(result, "redis_exporter_redis_user must name the least-privilege ACL user")
    assert exporter_state(host) == before


def test_exposing_without_password_fails_before_any_change(host, run_playbook, config_state):
    before = config_state(host)
    result = run_playbook("exposed_without_password.yml")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "refusing to listen on 0.0.0.0 without a password" in output, output
    assert re.search(r"redis-single\s*:.*changed=0", output), output
    assert config_state(host) == before


def test_a_bad_setting_is_refused_by_redis_and_nothing_changes(host, run_playbook, config_state):
    before = config_state(host)
    result = run_playbook("change.yml", {"redis_extra_config": ["appendfsync sometimes"]})
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "FATAL CONFIG FILE ERROR" in output, output
    assert "appendfsync sometimes" in output
    assert config_state(host) == before


def test_config_rewrite_does_not_shadow_the_next_change(host, run_playbook):
    assert cli(host, "SET molecule:across-the-change kept").stdout.strip() == "OK"
    # CONFIG REWRITE (as Sentinel sends it) copies every setting into redis.conf...
    assert cli(host, "CONFIG REWRITE").stdout.strip() == "OK"
    assert re.search(r"^maxmemory ", host.file("/etc/redis/redis.conf").content_string, re.M)
    try:
        # ...yet the role's next change still takes effect.
        result = run_playbook("change.yml", {"redis_maxmemory": "32mb"})
        assert result.returncode == 0, result.stdout + result.stderr
        assert cli(host, "CONFIG GET maxmemory").stdout.split() == ["maxmemory", str(32 * 1024 * 1024)]
        main = host.file("/etc/redis/redis.conf").content_string
        assert not re.search(r"^maxmemory ", main, re.M)
        # Applying the change (a restart, if the role needs one) keeps the data.
        assert cli(host, "GET molecule:across-the-change").stdout.strip() == "kept"
    finally:
        assert run_playbook("change.yml").returncode == 0


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"redis_extra_config": ["bind 0.0.0.0", "protected-mode no"]},
         "redis_extra_config must not set bind, protected-mode: set redis_bind, redis_protected_mode instead"),
        ({"redis_extra_config": ['requirepass ""']}, "redis_extra_config must not set requirepass"),
        ({"redis_extra_config": ["user intruder on nopass ~* +@all"]}, "redis_extra_config must not set user"),
        ({"redis_acl_users": [{"name": "app", "password": APP_AUTH, "rules": "nopass ~* &* +@all"}]},
         "redis_acl_users rules must not hold nopass"),
        ({"redis_acl_users": [{"name": "app", "password": APP_AUTH, "rules": f">{APP_AUTH}x ~app:*"}]},
         "redis_acl_users rules must not hold nopass (any password would log in) or a password of their own"),
        ({"redis_bind": ["127.0.0.1", "10.255.255.1"]},
         "refusing to bind to 10.255.255.1: not an address of redis-single"),
    ],
    ids=["extra-config-bind", "extra-config-requirepass", "extra-config-user", "acl-nopass", "acl-inline-password",
         "foreign-bind"],
)
def test_bypasses_of_the_exposure_rules_are_refused_before_any_change(host, run_playbook, config_state, change, reason):
    before = config_state(host)
    result = run_playbook("change.yml", change)
    refused(result, reason)
    assert config_state(host) == before
    assert cli(host, "PING").stdout.strip() == "PONG"

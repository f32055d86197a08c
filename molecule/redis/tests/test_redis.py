"""Standalone Redis + redis_exporter: auth, ACL users, AOF across restarts, disabled commands,
validated config, refusal to expose Redis without a password, and CONFIG REWRITE not
shadowing a later change."""

import re

import pytest

AUTH = "molecule-redis-password-7f3a"
APP_AUTH = "molecule-app-password-91c2"


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


def test_exporter_password_is_not_visible(host):
    assert AUTH not in host.check_output("ps -eo user,args")
    environment = host.file("/etc/default/prometheus-redis-exporter")
    assert (environment.user, environment.group, environment.mode) == ("root", "root", 0o600)
    assert host.check_output("ps -o user= -C prometheus-redi").split() == ["prometheus"]


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

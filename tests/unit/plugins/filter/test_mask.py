"""The mask filter against what the real validators print when they reject a file.

Each validator (Debian's amtool, promtool and redis-server on the controller; scripts/setup.sh
installs them) is run on a file it rejects, and its own output is masked: every secret is
gone, the reason stays readable. Without a validator these tests fail, they never skip.
"""

import shutil
import subprocess

import pytest
from ansible_collections.tradpal.monitoring.plugins.filter.mask import MASK, mask

SLACK = "https://hooks.slack.com/services/T0SECRET1/B0SECRET2/TopSecretToken123\n"
TOKEN_PARTS = ("T0SECRET1", "B0SECRET2", "TopSecretToken123")


def _tool(name):
    path = shutil.which(name) or f"/usr/bin/{name}"
    if not shutil.which(path):
        pytest.fail(f"{name} not found: install Debian's package (scripts/setup.sh does)", pytrace=False)
    return path


def _rejected(tmp_path, argv, name, text):
    """What the validator prints when it rejects text (it must reject it)."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    done = subprocess.run([*argv, str(path)], capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode != 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_amtool_prints_a_slack_url_with_a_line_break_masked_known_or_not(tmp_path):
    config = (
        "route: {receiver: r}\nreceivers:\n  - name: r\n    slack_configs:\n"
        f"      - api_url: {SLACK!r}\n        channel: '#ops'\n"
    ).replace("'https", '"https').replace("\\n'", '\\n"')
    output = _rejected(tmp_path, [_tool("amtool"), "check-config"], "alertmanager.yml", config)
    assert "TopSecretToken123" in output  # what the issue is about
    for secrets in ([SLACK], []):
        masked = mask(output, secrets)
        assert not any(part in masked for part in TOKEN_PARTS), masked
        assert "invalid control character in URL" in masked and MASK in masked


def test_amtool_prints_a_webhook_password_masked(tmp_path):
    config = (
        "route: {receiver: r}\nreceivers:\n  - name: r\n    webhook_configs:\n"
        '      - url: "https://ops:Hunter2Hunter2@ho st/hook"\n'
    )
    output = _rejected(tmp_path, [_tool("amtool"), "check-config"], "alertmanager.yml", config)
    assert "Hunter2Hunter2" in output
    masked = mask(output, [])
    assert "Hunter2Hunter2" not in masked and "ops:" not in masked
    assert "invalid character" in masked


def test_promtool_prints_remote_write_user_information_masked(tmp_path):
    config = 'remote_write:\n  - url: "https://user:S3cretPassw0rd@remote.test/api/v1/write\\a"\n'
    output = _rejected(tmp_path, [_tool("promtool"), "check", "config"], "prometheus.yml", config)
    assert "S3cretPassw0rd" in output
    masked = mask(output, [])
    assert "S3cretPassw0rd" not in masked and "user:" not in masked
    assert "remote.test" in masked and "invalid control character" in masked


def test_redis_server_prints_the_failing_line_masked(tmp_path):
    argv = [_tool("redis-server")]
    output = _rejected(tmp_path, argv, "redis.conf", "port 0\nmasterauth Sup3r Secret Words\n")
    assert "Sup3r Secret Words" in output
    for secrets in (["Sup3r Secret Words"], []):
        masked = mask(output, secrets)
        assert "Sup3r" not in masked and "Secret Words" not in masked, masked
        assert "masterauth" in masked and ("wrong number of arguments" in masked or "Bad directive" in masked)


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ('headers: {Authorization: "Bearer eyJhbGciOi.x.y"}', ["eyJhbGciOi"], ["Authorization", "Bearer"]),
        ("basic_auth: {username: ops, password: pw-Hunter2Hunter2}", ["Hunter2Hunter2"], ["username: ops"]),
        ('"client_secret":"c-L0ngSecretValue"', ["L0ngSecretValue"], ["client_secret"]),
        ("consul token=abcd-1234-efgh-5678 refused", ["abcd-1234"], ["consul", "refused"]),
        ("https://api.test/v1?api_key=K3yK3yK3y&region=eu", ["K3yK3yK3y"], ["api_key=", "region="]),
        ("https://discord.com/api/webhooks/123/tokenTOKENtoken", ["tokenTOKENtoken"], ["discord.com"]),
        (">>> 'requirepass hunter2hunter2 extra'", ["hunter2hunter2", "extra"], ["requirepass"]),
        (">>> 'sentinel auth-pass mymaster p4ss w0rd'", ["p4ss", "w0rd"], ["sentinel auth-pass"]),
        ("Error in user declaration 'ops on >Pa55word ~* +@all'", ["Pa55word"], ["~* +@all"]),
        ("user ops on #" + "ab" * 32, ["abab"], ["user ops on #"]),
    ],
)
def test_credential_shapes_are_masked_unasked(text, hidden, kept):
    masked = mask(text, [])
    for value in hidden:
        assert value not in masked, masked
    for value in kept:
        assert value in masked, masked


def test_a_secret_is_found_as_a_validator_quotes_it():
    bell = "Bell\x07InTheMiddle-of-it"
    assert mask('parse "Bell\\aInTheMiddle-of-it": bad', [bell]) == f'parse "{MASK}": bad'
    # And each long enough part on its own, whatever is printed between them.
    assert "InTheMiddle" not in mask("got Bell<07>InTheMiddle-of-it", [bell])


def test_plain_messages_stay_as_they_were():
    for text in (
        "yaml: unmarshal errors:\n  line 5: field foo not found in type config.plain",
        'error in line 3: unknown field "passwordx" in config',
        "the password is too short; auth failed; x -> y, a > b",
        'parse "https://prometheus.test:9090/metrics": bad port',
    ):
        assert mask(text, []) == text


def test_shapes_can_be_left_alone():
    assert mask("password: kept", [], shapes=False) == "password: kept"

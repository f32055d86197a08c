"""The mask, systemd_command and web_client filters."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.tradpal.monitoring.plugins.filter.mask import MASK, mask
from ansible_collections.tradpal.monitoring.plugins.filter.systemd_command import systemd_command
from ansible_collections.tradpal.monitoring.plugins.filter.web_client import web_client


def test_mask_hides_plain_and_url_encoded_secrets():
    text = "auth failed for s3cr/t+x and https://u:s3cr%2Ft%2Bx@h/ and s3cr/t+x\n"
    masked = mask(text, ["s3cr/t+x", "", None])
    assert "s3cr" not in masked
    assert masked.count(MASK) == 3
    assert masked.startswith("auth failed for ********")


def test_mask_replaces_the_longer_secret_first():
    assert mask("abcdef abc", ["abc", "abcdef"]) == f"{MASK} {MASK}"


def test_mask_hides_a_secret_given_with_a_trailing_newline():
    assert mask("password is hunter2hunter2.", ["hunter2hunter2\n"]) == f"password is {MASK}."


def test_mask_of_nothing():
    assert mask(None, ["x"]) == ""
    assert mask("text", []) == "text"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["/usr/bin/x", "--a=b"], "/usr/bin/x --a=b"),
        (["/usr/bin/x", "--fmt=%H"], "/usr/bin/x --fmt=%%H"),
        (["/usr/bin/x", "--home=$HOME"], "/usr/bin/x --home=$$HOME"),
        (["/usr/bin/x", "--collector.systemd.unit-include=(ssh|cron)\\.service"],
         '/usr/bin/x "--collector.systemd.unit-include=(ssh|cron)\\\\.service"'),
        (["/usr/bin/x", 'say "hi"'], '/usr/bin/x "say \\"hi\\""'),
    ],
)
def test_systemd_command_quotes_and_escapes(argv, expected):
    assert systemd_command(argv) == expected


@pytest.mark.parametrize("bad", ["/usr/bin/x --a", [], ["/usr/bin/x", "a\nb"]])
def test_systemd_command_refuses_what_execstart_cannot_carry(bad):
    with pytest.raises(AnsibleFilterError):
        systemd_command(bad)


def test_web_client_picks_the_named_user_else_the_first_by_name():
    users = {"grafana": "pw-grafana-0123", "ansible": "pw-ansible-0123"}
    assert web_client(users) == {"username": "ansible", "password": "pw-ansible-0123", "problem": ""}
    assert web_client(users, "grafana")["password"] == users["grafana"]
    assert web_client({}) == {"username": "", "password": "", "problem": ""}


def test_web_client_names_a_missing_user_without_any_password():
    result = web_client({"ops": "pw-ops-0123456"}, "ghost", variable="prometheus_web_client_user")
    assert result["problem"] == "prometheus_web_client_user ghost is not one of the basic auth users."
    assert not result["username"] and not result["password"]


def test_web_client_refuses_a_list():
    with pytest.raises(AnsibleFilterError):
        web_client(["ops"])

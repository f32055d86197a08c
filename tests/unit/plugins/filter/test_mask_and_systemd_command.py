"""The mask and systemd_command filters."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.tradpal.monitoring.plugins.filter.mask import MASK, mask
from ansible_collections.tradpal.monitoring.plugins.filter.systemd_command import systemd_command


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

"""The weak_secret test: the same rule as the secret_problems filter, as a yes or no."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.tradpal.monitoring.plugins.filter.secret_problems import secret_problems
from ansible_collections.tradpal.monitoring.plugins.test import weak_secret as weak_secret_plugin
from ansible_collections.tradpal.monitoring.plugins.test.weak_secret import weak_secret

VALUES = [
    "",
    None,
    "Kq7vXw2mBz9LpT4r",
    "Kq7vXw2mBz9LpT4r\n",
    "admin",
    "changeme",
    "<SMTP password>",
    "short",
    "https://hooks.slack.com/services/YOUR/SLACK/WEBHOOK",
    "https://hooks.slack.com/services/T024BE7LD/B01ABCDEFGH/kq9Zx7mWp2Lr4Vt8Ys6Nb3Hc",
    ["a list"],
]


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("min_length", [0, 12, 20])
def test_weak_secret_agrees_with_secret_problems(value, min_length):
    assert weak_secret(value, min_length=min_length) == bool(secret_problems({"x": value}, min_length=min_length))


def test_weak_secret_examples():
    assert weak_secret("foobared")
    # Grafana's published [security] secret_key, 20 characters long, in any case.
    assert weak_secret("SW2YcwTIb9zpOOhoPsMm")
    assert weak_secret("sw2ycwtib9zpoohopsmm")
    assert not weak_secret("Kq7vXw2mBz9LpT4r")
    assert weak_secret("Kq7vXw2mBz9", min_length=12)
    assert not weak_secret("Kq7vXw2mBz9", min_length=8)


def test_weak_secret_checks_min_length():
    with pytest.raises(AnsibleFilterError, match="min_length"):
        weak_secret("Kq7vXw2mBz9LpT4r", min_length=-3)


def test_weak_secret_is_registered():
    # Imported through the module: pytest would try to collect a class named Test* here.
    assert weak_secret_plugin.TestModule().tests()["weak_secret"] is weak_secret

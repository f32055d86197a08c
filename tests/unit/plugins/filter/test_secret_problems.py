"""secret_problems: the one refusal rule for secrets, and that no message shows a secret."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.tradpal.monitoring.plugins.filter import secret_problems as secret_problems_plugin
from ansible_collections.tradpal.monitoring.plugins.filter.secret_problems import secret_problems
from ansible_collections.tradpal.monitoring.plugins.plugin_utils._secrets import secret_problem

# Random-looking parts: long enough that a message containing any of them would be a leak.
STRONG = "Kq7vXw2mBz9LpT4r"
TAIL = "Hn5sDf8gJc3w"
REAL_SLACK = "https://hooks.slack.com/services/T024BE7LD/B01ABCDEFGH/kq9Zx7mWp2Lr4Vt8Ys6Nb3Hc"


def reason(value, **kwargs):
    """The reason given for one value, '' when it is accepted."""
    problems = secret_problems({"label": value}, **kwargs)
    assert len(problems) <= 1
    return problems[0].removeprefix("label: ") if problems else ""


@pytest.mark.parametrize(
    "value",
    [
        STRONG,
        STRONG.upper(),
        "correct horse battery staple",
        REAL_SLACK,
        "https://alerts.tradpal.net/hook",
        "HTTPS://HOOKS.SLACK.COM/services/T024BE7LD/B01ABCDEFGH/kq9Zx7mWp2Lr4Vt8Ys6Nb3Hc",
        "x" * 11 + "y",
    ],
)
def test_good_secrets_pass(value):
    assert reason(value) == ""


def test_nothing_to_report_is_an_empty_list():
    assert secret_problems({}) == []
    assert secret_problems({"a": STRONG, "b": REAL_SLACK}) == []


@pytest.mark.parametrize("value", ["", None])
def test_empty(value):
    assert reason(value) == "is empty"


@pytest.mark.parametrize("value", [" ", "\n", "\t \r\n"])
def test_only_white_space_is_empty(value):
    assert reason(value) == "is empty (only blanks or line breaks)"


@pytest.mark.parametrize("value", [STRONG + "\n", STRONG + "\r\n", REAL_SLACK + "\n"])
def test_trailing_line_break_is_the_encrypt_string_slip(value):
    message = reason(value)
    assert message.startswith("ends with a line break")
    assert "ansible-vault encrypt_string" in message
    assert "echo -n" in message
    assert message.endswith("strip it")


def test_trailing_blank():
    message = reason(STRONG + " ")
    assert message.startswith("ends with a blank")
    assert "ansible-vault encrypt_string" in message


@pytest.mark.parametrize("value", [" " + STRONG, "\n" + STRONG])
def test_leading_blank(value):
    assert reason(value) == "starts with a blank or line break; strip it"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("<SMTP password>", "in angle brackets"),
        ("<long random string>", "in angle brackets"),
        ("<" + STRONG + ">", "in angle brackets"),
        ("prefix-<token>-" + TAIL, "in angle brackets"),
        ("your-password-" + TAIL, "your ..."),
        ("your_redis_password", "your ..."),
        ("Your Password Here!", "your ..."),
        ("YOURPASSWORD12345", "your ..."),
        ("change-me-" + TAIL, "change me"),
        ("CHANGEME" + TAIL, "change me"),
        ("please_change_me", "change me"),
        ("replace-me-" + TAIL, "replace me"),
        ("ReplaceMe" + TAIL, "replace me"),
        ("TODO", "TODO or FIXME"),
        ("todo: set a password", "TODO or FIXME"),
        ("FIXME-" + TAIL, "TODO or FIXME"),
        ("placeholder", "the word placeholder"),
        ("thisIsAPlaceholder!!", "the word placeholder"),
        ("example", "example"),
        ("ExamplePassword123", "example"),
        ("xxx", "only x's"),
        ("XXXXXXXXXXXXXXXX", "only x's"),
        ("xxxx-xxxx-xxxx-xxxx", "only x's"),
        ("***", "only asterisks, a masked copy"),
        ("****************", "only asterisks, a masked copy"),
        ("{{ vault_redis_password }}", "an unrendered template or variable"),
        ("{% raw %}" + TAIL, "an unrendered template or variable"),
        ("${SMTP_PASSWORD}", "an unrendered template or variable"),
    ],
)
def test_placeholders(value, kind):
    assert reason(value) == "is a placeholder (%s), not a real secret" % kind


@pytest.mark.parametrize(
    "value",
    [
        "ab<cd" + TAIL,
        "a>b<c" + TAIL,
        "$" + TAIL + "{",
        "{" + TAIL + "}",
        "yours" + TAIL,
        "mastodon" + TAIL,
        "xxxy" + TAIL,
        "*" + TAIL + "*",
    ],
)
def test_near_misses_are_not_placeholders(value):
    assert reason(value) == ""


@pytest.mark.parametrize(
    "value",
    [
        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        "https://hooks.slack.com/services/T00000000/B01ABCDEFGH/kq9Zx7mWp2Lr4Vt8Ys6Nb3Hc",
        "https://hooks.slack.com/services/T024BE7LD/B01ABCDEFGH/xxxxxxxxxxxxxxxxxxxxxxxx",
    ],
)
def test_slack_documentation_webhook(value):
    assert reason(value) == "is the documentation's example webhook URL (zeroed or x'ed out IDs), not a real one"


@pytest.mark.parametrize(
    "value",
    [
        "https://example.com/hook",
        "http://hooks.example.org/x/y",
        "https://EXAMPLE.NET:8443/",
        "https://chat.example/h",
        "https://alerts.tradpal.invalid/hook",
    ],
)
def test_documentation_domains(value):
    assert reason(value) == "is a placeholder URL (its host is a domain reserved for documentation)"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("https://hooks.slack.com/services/YOUR/SLACK/WEBHOOK", "your ..."),
        ("https://hooks.slack.com/services/your-webhook-id", "your ..."),
        ("https://hooks.slack.com/services/<team>/<channel>/<token>", "in angle brackets"),
        ("https://hooks.slack.com/services/{{ slack_path }}", "an unrendered template or variable"),
        ("https://events.pagerduty.com/TODO", "TODO or FIXME"),
    ],
)
def test_placeholder_urls(value, kind):
    assert reason(value) == "is a placeholder (%s), not a real secret" % kind


def test_url_without_a_host():
    assert reason("https://") == "is not a complete URL (it has no host)"
    assert reason("http:///services/abc") == "is not a complete URL (it has no host)"


def test_malformed_url():
    assert reason("https://[fd00::5/hook") == "is not a valid URL"


def test_urls_have_no_minimum_length():
    assert reason("https://a.io/b", min_length=64) == ""


@pytest.mark.parametrize(
    "value",
    [
        "admin",
        "Administrator",
        "password",
        "passw0rd",
        "changeit",
        "secret",
        "FOOBARED",
        "redis",
        "prometheus",
        "alertmanager",
        "grafana",
        "node_exporter",
        "node-exporter",
        "redis_exporter",
        "root",
        "toor",
        "test",
        "guest",
        "default",
        "letmein",
        "qwerty",
        "123456",
        "12345678",
        "123456789",
        "monitoring",
        "TradPal",
        "admin123",
    ],
)
def test_well_known_passwords(value):
    assert reason(value) == "is a well-known password"
    # Refused whatever the minimum length.
    assert reason(value, min_length=0) == "is a well-known password"


def test_a_number_from_unquoted_yaml_counts_by_its_digits():
    assert reason(123456) == "is a well-known password"
    assert reason(987654321012345) == ""


@pytest.mark.parametrize(("value", "kind"), [(True, "a boolean"), (["a"], "a list"), ({"a": 1}, "a dict")])
def test_values_that_are_no_string(value, kind):
    assert secret_problem(value) == "is %s, not a string" % kind
    if kind != "a dict":  # the filter checks a dict's values one by one
        assert reason(value) == "is %s, not a string" % kind


def test_short_values():
    assert reason("Kq7vXw2mBz9") == "is shorter than 12 characters"
    assert reason("Kq7vXw2mBz9L") == ""
    assert reason("Kq7vXw2mBz9L", min_length=16) == "is shorter than 16 characters"
    assert reason("Kq7", min_length=0) == ""


def test_well_known_word_with_digits_appended_is_too_short():
    assert reason("admin2024!") == "is shorter than 12 characters"
    assert reason("Password7!") == "is shorter than 12 characters"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("admin\n", "ends with a line break"),  # blanks before well known
        ("changeme ", "ends with a blank"),  # blanks before placeholder
        ("changeme", "is a placeholder (change me)"),  # placeholder before well known
        ("your-password", "is a placeholder (your ...)"),  # on the well-known list too
        ("xxx", "is a placeholder (only x's)"),  # placeholder before too short
        ("admin", "is a well-known password"),  # well known before too short
    ],
)
def test_the_most_specific_reason_wins(value, expected):
    assert reason(value).startswith(expected)


def test_messages_are_sorted_by_label_and_name_it():
    problems = secret_problems({"z_pass": "admin", "a_pass": "", "m_url": "https://example.com/x", "ok": STRONG})
    assert problems == [
        "a_pass: is empty",
        "m_url: is a placeholder URL (its host is a domain reserved for documentation)",
        "z_pass: is a well-known password",
    ]


# Every branch with a value whose secret parts are random: none of them, nor the whole
# value, may appear in any message.
LEAK_CASES = [
    STRONG + "\n",
    STRONG + " ",
    " " + STRONG,
    STRONG[:8],
    "<" + STRONG + ">",
    STRONG + "-your-" + TAIL,
    STRONG + "changeme" + TAIL,
    STRONG + "replace_me" + TAIL,
    STRONG + "-TODO-" + TAIL,
    STRONG + "placeholder" + TAIL,
    STRONG + "example" + TAIL,
    STRONG + "{{" + TAIL,
    STRONG + "${SECRET_" + TAIL + "}",
    "https://" + STRONG + ".example.com/" + TAIL,
    "https://hooks.slack.com/services/T00000000/" + STRONG + "/" + TAIL,
    "https://hooks.slack.com/services/YOUR/" + STRONG + "/" + TAIL,
    "https:///" + STRONG + TAIL,
    "https://hooks.slack.com/" + STRONG + TAIL + "\n",
]


def test_no_message_contains_a_secret_or_part_of_it():
    values = {"secret_%02d" % index: value for index, value in enumerate(LEAK_CASES)}
    problems = secret_problems(values)
    assert len(problems) == len(LEAK_CASES), "every case is refused"
    text = "\n".join(problems)
    for value in LEAK_CASES:
        assert value.strip() not in text
    # Every run of 4 characters of the random parts.
    for part in (STRONG, TAIL):
        for start in range(len(part) - 3):
            assert part[start : start + 4] not in text


def test_min_length_is_checked():
    assert secret_problems({"a": "abc"}, min_length="2") == []
    for wrong in (-1, "twelve", None, True):
        with pytest.raises(AnsibleFilterError, match="min_length must be a whole number"):
            secret_problems({"a": STRONG}, min_length=wrong)


@pytest.mark.parametrize(("value", "kind"), [(["a"], "a list"), ("admin", "a string"), (None, "null")])
def test_input_must_be_a_dict(value, kind):
    with pytest.raises(AnsibleFilterError, match="expects a dict of label to value, got %s" % kind):
        secret_problems(value)


def test_secret_problems_is_registered():
    assert secret_problems_plugin.FilterModule().filters()["secret_problems"] is secret_problems


def test_a_dict_value_is_checked_per_key():
    problems = secret_problems({"prometheus_basic_auth_users": {"ops": "admin", "grafana": "a-long-random-secret-1"}})
    assert problems == ["prometheus_basic_auth_users.ops: is a well-known password"]


def test_keys_select_the_secret_fields_of_a_structure():
    receivers = [
        {"name": "slack", "send_resolved": True,
         "slack_configs": [{"api_url": "https://hooks.slack.com/services/YOUR/SLACK/WEBHOOK", "channel": "#alerts"}]},
        {"name": "mail", "email_configs": [{"to": "changeme@ops", "auth_password": "<SMTP password>",
                                           "auth_password_file": "/etc/alertmanager/example.txt"}]},
    ]
    problems = secret_problems({"alertmanager_receivers": receivers}, min_length=1,
                               keys=r"(?!.*_file$).*(password|secret|token|key).*|.*url")
    assert [problem.split(":")[0] for problem in problems] == [
        "alertmanager_receivers[0].slack_configs[0].api_url",
        "alertmanager_receivers[1].email_configs[0].auth_password",
    ]
    for problem in problems:
        assert "SLACK" not in problem and "SMTP" not in problem


def test_keys_pass_real_values():
    config = {"resolve_timeout": "5m", "slack_api_url": "https://hooks.slack.com/services/T4Z9K/B01Q2/9fJq2mXr"}
    assert secret_problems({"alertmanager_global": config}, min_length=1, keys=r".*url") == []

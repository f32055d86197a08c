"""Matcher parsing of module_utils/_silences.py (the regular expressions themselves: test_re2.py)."""

import pytest
from ansible_collections.tradpal.monitoring.plugins.module_utils._silences import (
    Matcher,
    SilenceError,
    parse_matcher,
    parse_matchers,
)


@pytest.mark.parametrize(
    ('text', 'expected'),
    [
        ('alertname="HighRequestLatency"', Matcher('alertname', 'HighRequestLatency', False, True)),
        ('job=~"api-.*"', Matcher('job', 'api-.*', True, True)),
        ('severity!="info"', Matcher('severity', 'info', False, False)),
        ('env!~"dev|test"', Matcher('env', 'dev|test', True, False)),
        ('instance=web1:9100', Matcher('instance', 'web1:9100', False, True)),
        ('  team = "ops"  ', Matcher('team', 'ops', False, True)),
        ('a=""', Matcher('a', '', False, True)),
        ('a="x=y!=z"', Matcher('a', 'x=y!=z', False, True)),
        (r'msg="say \"hi\""', Matcher('msg', 'say "hi"', False, True)),
        (r'path="C:\\temp"', Matcher('path', 'C:\\temp', False, True)),
        (r'text="two\nlines"', Matcher('text', 'two\nlines', False, True)),
        # A backslash before another character stays, as in Alertmanager's parser.
        (r're=~"\d+"', Matcher('re', '\\d+', True, True)),
    ],
)
def test_amtool_style_strings(text, expected):
    assert parse_matcher(text) == expected


@pytest.mark.parametrize(
    'matcher',
    [
        Matcher('a', 'plain', False, True),
        Matcher('a', 'quote " and backslash \\ and newline \n', False, False),
        Matcher('b', '^x\\.y$', True, True),
        Matcher('c', '', True, False),
    ],
)
def test_string_form_round_trips(matcher):
    assert parse_matcher(str(matcher)) == matcher


def test_string_form_reads_like_amtool():
    assert [str(m) for m in parse_matchers(['job=~"api-.*"', {'name': 'sev', 'value': 'info', 'is_equal': False}])] \
        == ['job=~"api-.*"', 'sev!="info"']


@pytest.mark.parametrize(
    ('text', 'message'),
    [
        ('alertname', 'cannot parse matcher'),
        ('alertname=="x"', 'unescaped double quote'),
        ('="x"', 'cannot parse matcher'),
        ('a="unclosed', 'no closing double quote'),
        ('a="in"side"', 'unescaped double quote'),
        ('a=in"side', 'unescaped double quote'),
        ('1a="x"', 'cannot parse matcher'),
        ('job:rate="x"', 'not a valid label name'),
        ('a=~"("', 'does not compile'),
    ],
)
def test_bad_strings_are_refused_with_the_reason(text, message):
    with pytest.raises(SilenceError, match=message):
        parse_matcher(text)


def test_dict_form_defaults_to_an_equality_matcher():
    assert parse_matcher({'name': 'job', 'value': 'api'}) == Matcher('job', 'api', False, True)


def test_dict_form_accepts_ansible_booleans_and_numbers():
    assert parse_matcher({'name': 'code', 'value': 500, 'is_regex': 'yes', 'is_equal': 'no'}) \
        == Matcher('code', '500', True, False)


@pytest.mark.parametrize(
    ('item', 'message'),
    [
        ({'value': 'x'}, 'needs a non-empty name'),
        ({'name': '', 'value': 'x'}, 'needs a non-empty name'),
        ({'name': 'a'}, 'needs a string value'),
        ({'name': 'a', 'value': None}, 'needs a string value'),
        ({'name': 'a', 'value': True}, 'needs a string value'),
        ({'name': 'a', 'value': 'x', 'regex': True}, 'unknown key'),
        ({'name': 'a', 'value': 'x', 'is_regex': 'maybe'}, 'matcher'),
        ({'name': 'a b', 'value': 'x'}, 'not a valid label name'),
        (['a', 'b'], 'must be a string'),
        (5, 'must be a string'),
    ],
)
def test_bad_dicts_are_refused_with_the_reason(item, message):
    with pytest.raises(SilenceError, match=message):
        parse_matcher(item)


def test_matchers_keep_their_order_and_say_which_one_is_wrong():
    assert parse_matchers(['b="2"', 'a="1"']) == (Matcher('b', '2', False, True), Matcher('a', '1', False, True))
    with pytest.raises(SilenceError, match=r'^matchers\[1\]: cannot parse'):
        parse_matchers(['a="1"', 'nonsense'])


@pytest.mark.parametrize('items', [None, [], 'a="1"'])
def test_a_silence_needs_a_list_of_matchers(items):
    with pytest.raises(SilenceError, match='at least one matcher'):
        parse_matchers(items)


def test_the_same_matcher_twice_is_refused():
    with pytest.raises(SilenceError, match='listed twice'):
        parse_matchers(['a="1"', {'name': 'a', 'value': '1'}])


@pytest.mark.parametrize(
    'matchers',
    [
        ['a=""'],
        ['a!="x"'],
        ['a=~".*"'],
        ['a!~".+"'],
        ['a=~"x*"', 'c!="prod"'],
        ['a=~"(?i)|foo"'],
    ],
)
def test_matchers_that_all_match_the_empty_string_are_refused(matchers):
    with pytest.raises(SilenceError, match='every matcher also matches the empty string'):
        parse_matchers(matchers)


@pytest.mark.parametrize(
    'matchers',
    [
        ['a!=""'],
        ['a=~".+"', 'b=""'],
        ['a!~".*"'],
        ['a="x"', 'b!="y"'],
    ],
)
def test_one_matcher_that_needs_a_value_is_enough(matchers):
    assert len(parse_matchers(matchers)) == len(matchers)


def test_filters_may_match_the_empty_string():
    assert parse_matchers(['a=""'], require_non_empty_match=False) == (Matcher('a', '', False, True),)


@pytest.mark.parametrize(
    ('matcher', 'expected'),
    [
        (Matcher('a', '', False, True), True),
        (Matcher('a', 'x', False, True), False),
        (Matcher('a', '', False, False), False),
        (Matcher('a', 'x', False, False), True),
        (Matcher('a', '.*', True, True), True),
        (Matcher('a', '.+', True, True), False),
        (Matcher('a', '.*', True, False), False),
        (Matcher('a', '.+', True, False), True),
        (Matcher('a', r'\pL*', True, True), True),
        (Matcher('a', r'\pL', True, True), False),
    ],
)
def test_matches_empty(matcher, expected):
    assert matcher.matches_empty() is expected


def test_api_form_round_trips():
    matcher = Matcher('job', 'api-.*', True, False)
    assert matcher.to_api() == {'name': 'job', 'value': 'api-.*', 'isRegex': True, 'isEqual': False}
    assert Matcher.from_api(matcher.to_api()) == matcher
    # Alertmanager before 0.22 left isEqual out: it meant "equal".
    assert Matcher.from_api({'name': 'a', 'value': 'b', 'isRegex': False}) == Matcher('a', 'b', False, True)

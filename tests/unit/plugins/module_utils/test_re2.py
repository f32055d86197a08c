"""The RE2 checks of module_utils/_re2.py: what Alertmanager accepts is accepted, what it refuses is refused."""

import pytest
from ansible_collections.tradpal.monitoring.plugins.module_utils._re2 import RegexError, compile_regex


@pytest.mark.parametrize(
    ('pattern', 'text', 'matches'),
    [
        # RE2 syntax that Python's re spells differently or lacks is accepted.
        (r'\pL+', 'abc', None),
        (r'\p{Greek}', 'x', None),
        (r'[[:alpha:]]+', 'abc', None),
        (r'[^[:digit:]]', 'a', None),
        (r'(?i)api', 'API', None),
        (r'a(?i)b', 'ab', True),
        (r'(?s:a.b)', 'a\nb', True),
        (r'(?U)a+', 'aa', True),
        (r'(?i-s:A.)', 'ab', True),
        (r'(?U:a+)', 'aa', True),
        (r'\012', '\n', True),
        (r'\x{41}', 'A', True),
        (r'\Qa.b\E', 'a.b', True),
        (r'\Qa.b\E', 'axb', False),
        (r'end\z', 'end', True),
        (r'a{2,3}', 'aaa', True),
        (r'a{,3}', 'a{,3}', None),
        (r'(?P<n>x)', 'x', True),
        (r'[]a]+', ']a', True),
        (r'a*?b', 'aab', True),
        (r'api-(v1|v2)', 'api-v2', True),
    ],
)
def test_re2_patterns_are_accepted(pattern, text, matches):
    compiled = compile_regex(pattern)
    if matches is not None:
        assert (compiled.fullmatch(text) is not None) is matches


@pytest.mark.parametrize(
    ('pattern', 'message'),
    [
        ('(', 'missing \\)'),
        ('[a-', 'missing closing'),
        ('*a', 'nothing to repeat'),
        ('a**', 'nested repetition'),
        ('a*+', 'nested repetition'),
        ('a???', 'nested repetition'),
        ('a{1001}', 'repetition count above 1000'),
        ('(?=a)b', 'lookahead'),
        ('(?!a)b', 'negative lookahead'),
        ('(?<=a)b', 'lookbehind'),
        ('(?<!a)b', 'negative lookbehind'),
        (r'(a)\1', 'backreferences'),
        ('(?P<n>a)(?P=n)', 'backreference'),
        ('(?>a)', 'atomic group'),
        ('(?<n>a)', 'named group without P'),
        ('(?x)a', 'group flags'),
        ('(?i-)a', 'group flags'),
        (r'\Z', 'invalid escape'),
        (r'\e', 'invalid escape'),
        (r'\x{110000}', r'invalid \\x'),
        ('a\\', 'trailing backslash'),
        ('[[:alphabet:]]', 'invalid character class'),
    ],
)
def test_patterns_alertmanager_refuses_are_refused(pattern, message):
    with pytest.raises(RegexError, match=message):
        compile_regex(pattern)

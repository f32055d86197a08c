# -*- coding: utf-8 -*-
# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Checks RE2 regular expressions (the dialect of Alertmanager and Prometheus) with Python's re.

The pattern is rewritten into an equivalent that Python can compile: RE2-only syntax
becomes a stand-in, syntax RE2 lacks (lookaround, backreferences) is refused, because
the server would refuse it. The result is for checking and for fullmatch tests only.
"""

from __future__ import annotations

import re
import warnings


class RegexError(ValueError):
    """A pattern the server would refuse."""


_RE2_ESCAPE_LETTERS = frozenset('afntrvdDsSwWbBAzxpPQC')
_POSIX_CLASSES = frozenset(('alnum', 'alpha', 'ascii', 'blank', 'cntrl', 'digit', 'graph', 'lower', 'print',
                            'punct', 'space', 'upper', 'word', 'xdigit'))
_UNSUPPORTED_GROUPS = (
    ('(?=', 'lookahead'), ('(?!', 'negative lookahead'), ('(?<=', 'lookbehind'),
    ('(?<!', 'negative lookbehind'), ('(?P=', 'backreference'), ('(?(', 'conditional group'),
    ('(?>', 'atomic group'), ('(?#', 'comment group'), ('(?<', 'named group without P (use (?P<name>...))'),
)
_FLAGS_RE = re.compile(r'\(\?([a-zA-Z-]*)([:)])')
_REPEAT_RE = re.compile(r'\{(\d+)(?:,(\d*))?\}')
_MAX_REPEAT = 1000


def _regex_error(pattern, reason):
    return RegexError('regular expression %r does not compile: %s' % (pattern, reason))


def _translate_escape(pattern, index, out):
    """Translate the escape at pattern[index] (a backslash); return the index after it."""
    if index + 1 >= len(pattern):
        raise _regex_error(pattern, 'trailing backslash')
    char = pattern[index + 1]
    rest = index + 2
    if char in 'pP':
        # Unicode classes: Python's re lacks them; any one character stands in for the check.
        if pattern[rest:rest + 1] == '{':
            end = pattern.find('}', rest)
            if end < 0:
                raise _regex_error(pattern, 'missing } in \\%s{...}' % char)
            rest = end + 1
        elif rest < len(pattern):
            rest += 1
        else:
            raise _regex_error(pattern, 'missing class name after \\%s' % char)
        out.append('x')
    elif char == 'Q':
        end = pattern.find('\\E', rest)
        end = len(pattern) if end < 0 else end
        out.append(re.escape(pattern[rest:end]))
        rest = min(end + 2, len(pattern))
    elif char.isdigit() or (char == 'x' and pattern[rest:rest + 1] == '{'):
        return _translate_code_escape(pattern, index, out)
    elif char.isalpha() and char.isascii() and char not in _RE2_ESCAPE_LETTERS:
        raise _regex_error(pattern, 'invalid escape \\%s' % char)
    else:
        out.append(_ESCAPE_REWRITES.get(char, '\\' + char))
    return rest


# RE2 escapes that Python spells differently: \z (end of text) and \C (any byte).
_ESCAPE_REWRITES = {'z': '\\Z', 'C': '.'}


def _translate_code_escape(pattern, index, out):
    """Octal (\\012) and \\x{10FFFF} escapes; RE2 has no backreferences (\\1)."""
    if pattern[index + 1] == 'x':
        end = pattern.find('}', index + 2)
        digits = pattern[index + 3:end] if end > 0 else ''
        if not re.match(r'^[0-9a-fA-F]{1,8}$', digits) or int(digits, 16) > 0x10FFFF:
            raise _regex_error(pattern, 'invalid \\x{...} escape')
        out.append('\\U%08x' % int(digits, 16))
        return end + 1
    octal = re.match(r'[0-7]{1,3}', pattern[index + 1:])
    if octal is None or (octal.group(0)[0] != '0' and len(octal.group(0)) < 2):
        raise _regex_error(pattern, 'backreferences such as \\%s are not supported by Alertmanager (RE2)'
                           % pattern[index + 1])
    out.append('\\u%04x' % int(octal.group(0), 8))
    return index + 1 + len(octal.group(0))


def _translate_group(pattern, index, out):
    """Translate what starts with "(" at pattern[index]; return the index after the consumed part."""
    if not pattern.startswith('(?', index) or pattern.startswith('(?:', index) or pattern.startswith('(?P<', index):
        out.append('(')
        return index + 1
    for prefix, what in _UNSUPPORTED_GROUPS:
        if pattern.startswith(prefix, index):
            raise _regex_error(pattern, '%s %s is not supported by Alertmanager (RE2)' % (what, prefix))
    match = _FLAGS_RE.match(pattern, index)
    if not match or not match.group(1) or set(match.group(1)) - set('imsU-') or match.group(1).count('-') > 1 \
            or match.group(1).endswith('-'):
        raise _regex_error(pattern, 'invalid or unsupported group flags at %r' % pattern[index:index + 8])
    if match.group(2) == ':':
        # Scoped flags mean the same in Python, except U (ungreedy), which only changes what is captured.
        on, _dash, off = match.group(1).replace('U', '').partition('-')
        out.append('(?%s%s:' % (on, '-' + off if off else ''))
    # A bare (?flags) applies to the rest of its group in RE2 but must open the pattern in
    # Python; it changes how text matches, not whether the pattern is valid, so it is dropped.
    return match.end()


def _repeat_end(pattern, index):
    """The index after a {n}, {n,} or {n,m} repetition at pattern[index], or None for a literal {."""
    match = _REPEAT_RE.match(pattern, index)
    if not match:
        return None
    for bound in match.groups():
        if bound and int(bound) > _MAX_REPEAT:
            raise _regex_error(pattern, 'repetition count above %d' % _MAX_REPEAT)
    return match.end()


def _open_class(pattern, index, out):
    """Copy "[", "[^" and a leading literal "]"; return the index after them."""
    start = index + 1
    if pattern[start:start + 1] == '^':
        start += 1
    if pattern[start:start + 1] == ']':
        start += 1
    out.append(pattern[index:start].replace(']', '\\]'))
    return start


def _translate_in_class(pattern, index, out):
    """One item inside [...]; return (next index, still inside the class)."""
    if pattern.startswith('[:', index):
        end = pattern.find(':]', index + 2)
        name = pattern[index + 2:end].lstrip('^') if end > 0 else ''
        if name not in _POSIX_CLASSES:
            raise _regex_error(pattern, 'invalid character class [:%s:]' % name)
        out.append('a')
        return end + 2, True
    char = pattern[index]
    out.append('\\[' if char == '[' else char)
    return index + 1, char != ']'


def _translate_quantifier(pattern, index, out, previous):
    """A repetition operator; return (next index, quantifier state: False, True or 'lazy')."""
    after = _repeat_end(pattern, index) if pattern[index] == '{' else index + 1
    if after is None:
        out.append('\\{')
        return index + 1, False
    if pattern[index] == '?' and previous is True:
        state = 'lazy'
    elif previous:
        # RE2 refuses a*+, a{2}* and friends (Python 3.11 would read them as possessive).
        raise _regex_error(pattern, 'invalid nested repetition operator %r' % pattern[index - 1:after])
    else:
        state = True
    out.append(pattern[index:after])
    return after, state


def _re2_to_python(pattern):
    """Rewrite an RE2 pattern (Alertmanager's dialect) so Python's re can check it.

    RE2-only syntax becomes an equivalent for the check; Python-only syntax (lookaround,
    backreferences) is refused, because Alertmanager would refuse it.
    """
    out = []
    index = 0
    in_class = False
    quantifier = False
    while index < len(pattern):
        char = pattern[index]
        previous, quantifier = quantifier, False
        if char == '\\':
            index = _translate_escape(pattern, index, out)
        elif in_class:
            index, in_class = _translate_in_class(pattern, index, out)
        elif char == '[':
            index, in_class = _open_class(pattern, index, out), True
        elif char == '(':
            index = _translate_group(pattern, index, out)
        elif char in '*+?{':
            index, quantifier = _translate_quantifier(pattern, index, out, previous)
        else:
            out.append(char)
            index += 1
    if in_class:
        raise _regex_error(pattern, 'missing closing ]')
    return ''.join(out)


def compile_regex(pattern):
    """Compile an RE2 regular expression for checks; use fullmatch, as Alertmanager anchors it.

    Raises RegexError for a pattern Alertmanager would refuse.
    """
    translated = _re2_to_python(pattern)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            return re.compile(translated)
        except re.error as exc:
            # exc.msg leaves out the position, which is one in the rewritten pattern.
            raise _regex_error(pattern, exc.msg) from None

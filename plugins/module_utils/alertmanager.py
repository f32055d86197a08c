# -*- coding: utf-8 -*-
# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Alertmanager v2 API client and the silence logic both silence modules share.

Everything above ``AlertmanagerClient`` is pure (no network), so unit tests import it
directly: matcher parsing, time and duration parsing, identity, and the plan that turns
declared silences plus the server's list into creates, updates and expirations.
"""

from __future__ import annotations

import getpass
import re
import warnings
from collections import namedtuple
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.tradpal.monitoring.plugins.module_utils.http import (
    CONNECTION_MODULE_KWARGS,
    HttpApiError,
    JsonHttpClient,
    connection_argument_spec,
)

UTC = timezone.utc
# Start and end times this close count as equal: Alertmanager keeps milliseconds, a
# silence created "now" starts when the server receives it, and clocks differ a little.
TIME_TOLERANCE = timedelta(seconds=1)
# A start of "now" is sent this much earlier, so that Alertmanager, which moves a start in
# the past to its own now, starts the silence at once even when the controller's clock runs
# ahead of the server's (a pending silence would otherwise be replaced on every run).
START_BACKDATE = timedelta(minutes=1)
SILENCE_STATES = ('active', 'pending', 'expired')


class SilenceError(ValueError):
    """Input that cannot become a valid silence; raised before any request is sent."""


def alertmanager_argument_spec(**module_options):
    """Connection options (with ALERTMANAGER_* environment fallbacks) plus the module's own."""
    spec = connection_argument_spec('ALERTMANAGER')
    spec.update(module_options)
    return spec


def alertmanager_module_kwargs(**extra):
    """AnsibleModule keyword arguments for the connection options, merged with the module's."""
    kwargs = dict((key, list(value) if isinstance(value, list) else dict(value))
                  for key, value in CONNECTION_MODULE_KWARGS.items())
    for key, value in extra.items():
        if key in kwargs and isinstance(value, list):
            kwargs[key] = kwargs[key] + list(value)
        elif key in kwargs and isinstance(value, dict):
            kwargs[key].update(value)
        else:
            kwargs[key] = value
    return kwargs


# --------------------------------------------------------------------------- matchers

# Same shape as Alertmanager's own matcher parser (pkg/labels/parse.go).
_MATCHER_RE = re.compile(r'^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*(.*?)\s*$', re.S)
# What Alertmanager accepts as a label name in a silence.
_LABEL_NAME_RE = re.compile(r'^[a-zA-Z_][a-zA-Z0-9_]*$')
# operator → (is_regex, is_equal)
_OPERATORS = {'=': (False, True), '!=': (False, False), '=~': (True, True), '!~': (True, False)}
_MATCHER_KEYS = ('name', 'value', 'is_regex', 'is_equal')


class Matcher(namedtuple('Matcher', _MATCHER_KEYS)):
    """One label matcher. Hashable, so a silence's matchers compare as a set."""

    __slots__ = ()

    @property
    def operator(self):
        if self.is_regex:
            return '=~' if self.is_equal else '!~'
        return '=' if self.is_equal else '!='

    def __str__(self):
        value = self.value.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')
        return '%s%s"%s"' % (self.name, self.operator, value)

    def to_api(self):
        return {'name': self.name, 'value': self.value, 'isRegex': self.is_regex, 'isEqual': self.is_equal}

    @classmethod
    def from_api(cls, data):
        return cls(to_text(data['name']), to_text(data['value']), bool(data.get('isRegex', False)),
                   bool(data.get('isEqual', True)))

    def matches_empty(self):
        """Whether this matcher matches a label that is absent (has the empty value)."""
        if self.is_regex:
            hit = compile_regex(self.value).fullmatch('') is not None
        else:
            hit = self.value == ''
        return hit == self.is_equal


def _unquote_matcher_value(text, raw):
    """Unescape a matcher value the way Alertmanager does (\\n, \\", \\\\; quotes optional)."""
    quoted = raw.startswith('"')
    if quoted:
        raw = raw[1:]
    chars = []
    escaped = False
    last = len(raw) - 1
    for index, char in enumerate(raw):
        if escaped:
            escaped = False
            if char == 'n':
                chars.append('\n')
            elif char in '"\\':
                chars.append(char)
            else:
                chars.append('\\' + char)
        elif char == '\\' and index < last:
            escaped = True
        elif char == '"':
            if not quoted or index < last:
                raise SilenceError('matcher %r: the value contains an unescaped double quote (write \\")' % text)
            quoted = False
        else:
            chars.append(char)
    if quoted:
        raise SilenceError('matcher %r: the value has no closing double quote' % text)
    return ''.join(chars)


def parse_matcher_string(text):
    """Parse an amtool-style matcher such as ``job=~"api-.*"``."""
    match = _MATCHER_RE.match(text)
    if not match:
        raise SilenceError('cannot parse matcher %r: write it as name="value", name!="value", '
                           'name=~"regex" or name!~"regex"' % text)
    name, operator, raw = match.groups()
    is_regex, is_equal = _OPERATORS[operator]
    return Matcher(name, _unquote_matcher_value(text, raw), is_regex, is_equal)


def _matcher_from_dict(item):
    unknown = sorted(set(item) - set(_MATCHER_KEYS))
    if unknown:
        raise SilenceError('matcher %r: unknown key(s) %s; the keys are %s'
                           % (item, ', '.join(unknown), ', '.join(_MATCHER_KEYS)))
    name = item.get('name')
    value = item.get('value')
    if not isinstance(name, str) or not name:
        raise SilenceError('matcher %r needs a non-empty name' % (item,))
    if value is None or isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise SilenceError('matcher %r needs a string value (may be empty: "")' % (item,))
    try:
        is_regex = boolean(item.get('is_regex', False), strict=True)
        is_equal = boolean(item.get('is_equal', True), strict=True)
    except TypeError as exc:
        raise SilenceError('matcher %r: %s' % (item, exc)) from None
    return Matcher(name, to_text(value), is_regex, is_equal)


def parse_matcher(item):
    """A Matcher from a string (amtool style) or a dict (name, value, is_regex, is_equal)."""
    if isinstance(item, Matcher):
        matcher = item
    elif isinstance(item, str):
        matcher = parse_matcher_string(item)
    elif isinstance(item, dict):
        matcher = _matcher_from_dict(item)
    else:
        raise SilenceError('matcher %r must be a string such as job="api" or a dict with name and value' % (item,))
    if not _LABEL_NAME_RE.match(matcher.name):
        raise SilenceError('matcher %s: %r is not a valid label name (letters, digits and _, not starting '
                           'with a digit)' % (matcher, matcher.name))
    if matcher.is_regex:
        compile_regex(matcher.value)
    return matcher


def parse_matchers(items, require_non_empty_match=True):
    """Validate a silence's matchers; returns a tuple of Matcher in the given order."""
    if not isinstance(items, (list, tuple)) or not items:
        raise SilenceError('matchers: give at least one matcher')
    matchers = []
    for index, item in enumerate(items):
        try:
            matcher = parse_matcher(item)
        except SilenceError as exc:
            raise SilenceError('matchers[%d]: %s' % (index, exc)) from None
        if matcher in matchers:
            raise SilenceError('matchers[%d]: %s is listed twice' % (index, matcher))
        matchers.append(matcher)
    if require_non_empty_match and all(m.matches_empty() for m in matchers):
        raise SilenceError('matchers: every matcher also matches the empty string, so the silence would mute '
                           'every alert; Alertmanager refuses that. Add a matcher such as alertname="..."')
    return tuple(matchers)


# ------------------------------------------------------------ regular expressions (RE2)

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
    return SilenceError('regular expression %r does not compile: %s' % (pattern, reason))


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
    """Compile an Alertmanager (RE2) regular expression for checks; use fullmatch, as Alertmanager anchors it."""
    translated = _re2_to_python(pattern)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            return re.compile(translated)
        except re.error as exc:
            # exc.msg leaves out the position, which is one in the rewritten pattern.
            raise _regex_error(pattern, exc.msg) from None


# ------------------------------------------------------------------- times and durations

_TIME_RE = re.compile(
    r'^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*'
    r'(?:(?P<utc>[Zz])|(?P<sign>[+-])(?P<hours>\d{2})(?::?(?P<minutes>\d{2}))?)?$')
_DURATION_RE = re.compile(r'^(?:\d+[wdhms])+$')
_DURATION_PART_RE = re.compile(r'(\d+)([wdhms])')
_DURATION_UNITS = {'w': 604800, 'd': 86400, 'h': 3600, 'm': 60, 's': 1}


def parse_time(value, what='time'):
    """An ISO-8601 timestamp with a zone (Z or an offset), returned in UTC. Naive ones are errors."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise SilenceError('%s %s has no time zone' % (what, value.isoformat()))
        return value.astimezone(UTC)
    text = to_text(value).strip()
    match = _TIME_RE.match(text)
    if not match:
        raise SilenceError('%s %r is not an ISO-8601 timestamp with a zone, such as 2024-05-01T22:00:00Z '
                           'or 2024-05-02T00:00:00+02:00' % (what, text))
    if not match.group('utc') and not match.group('sign'):
        raise SilenceError('%s %r has no time zone; it would be read in whatever zone the machine running the '
                           'module is in, so add Z (UTC) or an offset such as +02:00' % (what, text))
    year, month, day, hour, minute, second, fraction = match.groups()[:7]
    offset = timedelta(0)
    if match.group('sign'):
        offset = timedelta(hours=int(match.group('hours')), minutes=int(match.group('minutes') or 0))
        if match.group('sign') == '-':
            offset = -offset
    try:
        parsed = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                          int((fraction or '0')[:6].ljust(6, '0')), tzinfo=timezone(offset))
    except ValueError as exc:
        raise SilenceError('%s %r: %s' % (what, text, exc)) from None
    return parsed.astimezone(UTC)


def format_time(value):
    """UTC, millisecond precision, the way Alertmanager writes times."""
    value = value.astimezone(UTC)
    return value.strftime('%Y-%m-%dT%H:%M:%S') + '.%03dZ' % (value.microsecond // 1000)


def parse_duration(value):
    """``30m``, ``2h``, ``1d``, ``1w`` or combinations such as ``1h30m``, as a timedelta."""
    text = to_text(value).strip()
    if not _DURATION_RE.match(text):
        raise SilenceError('duration %r: write a number with a unit, such as 30m, 2h, 1d or 1h30m '
                           '(units: w, d, h, m, s)' % text)
    seconds = sum(int(number) * _DURATION_UNITS[unit] for number, unit in _DURATION_PART_RE.findall(text))
    if seconds <= 0:
        raise SilenceError('duration %r must be longer than zero' % text)
    return timedelta(seconds=seconds)


def utcnow():
    return datetime.now(UTC)


def default_created_by():
    """``ansible/<user>``: who runs the module (on the controller when delegated to localhost)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError, ImportError):
        user = None
    return 'ansible/%s' % user if user else 'ansible'


# ------------------------------------------------------------------ silences and identity

NOW = 'now'


def identity(created_by, comment, matchers):
    """Two silences are the same one when these agree; matcher order does not matter."""
    return (created_by, comment, frozenset(matchers))


class ExistingSilence(namedtuple('ExistingSilence',
                                 ['id', 'state', 'matchers', 'comment', 'created_by', 'starts_at', 'ends_at',
                                  'updated_at', 'raw'])):
    """A silence as Alertmanager returned it."""

    __slots__ = ()

    @classmethod
    def from_api(cls, data):
        return cls(
            id=data['id'],
            state=(data.get('status') or {}).get('state', 'active'),
            matchers=tuple(Matcher.from_api(m) for m in data.get('matchers') or []),
            comment=data.get('comment', ''),
            created_by=data.get('createdBy', ''),
            starts_at=parse_time(data['startsAt'], 'startsAt'),
            ends_at=parse_time(data['endsAt'], 'endsAt'),
            updated_at=data.get('updatedAt'),
            raw=data,
        )

    def key(self):
        return identity(self.created_by, self.comment, self.matchers)

    def describe(self):
        return describe(self.id, self.state, self.matchers, self.comment, self.created_by,
                        starts_at=self.starts_at, ends_at=self.ends_at)


def describe(silence_id, state, matchers, comment, created_by, *, starts_at, ends_at):
    """The dict the modules return (and show in diffs) for one silence."""
    return {
        'id': silence_id,
        'state': state,
        'matchers': [str(m) for m in matchers],
        'comment': comment,
        'created_by': created_by,
        'starts_at': format_time(starts_at) if starts_at else None,
        'ends_at': format_time(ends_at) if ends_at else None,
    }


class SilenceSpec(namedtuple('SilenceSpec',
                             ['id', 'state', 'matchers', 'comment', 'created_by', 'starts_at', 'ends_at',
                              'duration'])):
    """A declared silence, validated. ``starts_at`` is None (not given), NOW, or a future datetime.

    With ``id`` set, matchers, comment, created_by, start and end that are None are kept
    from the targeted silence.
    """

    __slots__ = ()

    def key(self):
        return identity(self.created_by, self.comment, self.matchers)


_SPEC_OPTIONS = ('id', 'state', 'matchers', 'comment', 'created_by', 'starts_at', 'ends_at', 'duration')


def build_spec(options, now, default_state='present', default_creator=None):
    """Validate one declared silence (module options or one ``silences`` item)."""
    options = dict((name, options.get(name)) for name in _SPEC_OPTIONS)
    state = options['state'] or default_state
    silence_id = options['id'] or None
    creator = options['created_by']
    if not creator and not silence_id:
        creator = default_creator or default_created_by()
    matchers = None
    if options['matchers'] is not None or not silence_id:
        matchers = parse_matchers(options['matchers'])
    comment = options['comment']
    if not silence_id and not comment:
        raise SilenceError('comment is required (it is part of what identifies the silence)')
    if state == 'absent':
        # Times do not matter for ending a silence.
        return SilenceSpec(silence_id, state, matchers, comment, creator, None, None, None)
    if options['ends_at'] and options['duration']:
        raise SilenceError('set ends_at or duration, not both')
    if not silence_id and not options['ends_at'] and not options['duration']:
        raise SilenceError('set ends_at or duration')
    starts_at = options['starts_at']
    if starts_at is not None and to_text(starts_at).strip().lower() != NOW:
        starts_at = parse_time(starts_at, 'starts_at')
        if starts_at <= now:
            starts_at = NOW
    elif starts_at is not None:
        starts_at = NOW
    ends_at = parse_time(options['ends_at'], 'ends_at') if options['ends_at'] else None
    duration = parse_duration(options['duration']) if options['duration'] else None
    if ends_at is not None:
        if ends_at <= now:
            raise SilenceError('ends_at %s is in the past; use state=absent to end a silence now'
                               % format_time(ends_at))
        if isinstance(starts_at, datetime) and ends_at <= starts_at:
            raise SilenceError('ends_at %s is not after starts_at %s' % (format_time(ends_at), format_time(starts_at)))
    return SilenceSpec(silence_id, state, matchers, comment, creator, starts_at, ends_at, duration)


def build_specs(items, now, default_state='present', default_creator=None):
    """Validate a list of declared silences; two items may not declare the same silence."""
    specs = []
    seen = {}
    for index, item in enumerate(items):
        where = 'silences[%d]' % index
        try:
            spec = build_spec(item or {}, now, default_state, default_creator)
        except SilenceError as exc:
            raise SilenceError('%s: %s' % (where, exc)) from None
        mark = ('id', spec.id) if spec.id else spec.key()
        if mark in seen:
            raise SilenceError('%s declares the same silence as %s' % (where, seen[mark]))
        seen[mark] = where
        specs.append(spec)
    return specs


# ----------------------------------------------------------------------------- planning

class Change(object):
    """What one declared silence needs.

    action: ``create``, ``update``, ``unchanged``, ``expire`` or ``none`` (absent already).
    ``payload`` is the body to POST for create/update. ``expire`` lists the silences to
    expire: the matches of an absent silence, or duplicates of a present one. ``replace``
    says Alertmanager is expected to replace the silence (new id, old one expired) instead
    of updating it in place. ``before``/``after`` describe the silence for diffs.
    """

    def __init__(self, spec, action, *, target=None, payload=None, expire=(), replace=False, before=None,
                 after=None, differences=(), start_now=False):
        self.spec = spec
        self.start_now = start_now
        self.action = action
        self.target = target
        self.payload = payload
        self.expire = list(expire)
        self.replace = replace
        self.before = before
        self.after = after
        self.differences = list(differences)

    @property
    def changed(self):
        return self.payload is not None or bool(self.expire)

    def stamp(self, moment):
        """Make a start of "now" (and an end that a duration gives) count from ``moment``.

        The module calls this right before it sends the payload: silences written late in a
        long run would otherwise end earlier than their duration says, and show as changed
        on the next run.
        """
        if not self.start_now:
            return
        self.payload['startsAt'] = format_time(moment - START_BACKDATE)
        self.after['starts_at'] = format_time(moment)
        if self.spec.ends_at is None and self.spec.duration is not None:
            self.payload['endsAt'] = self.after['ends_at'] = format_time(moment + self.spec.duration)

    def result(self, new_id=None):
        """The module's return entry; ``new_id`` is the id Alertmanager answered (None in check mode)."""
        if self.spec.state == 'absent':
            spec = self.spec
            entry = describe(spec.id, None, spec.matchers or (), spec.comment, spec.created_by,
                             starts_at=None, ends_at=None)
            if self.target is not None:
                entry = self.target.describe()
            if self.expire or (self.target is not None and self.target.state == 'expired'):
                entry['state'] = 'expired'
            replaced = False
        else:
            entry = dict(self.after)
            if new_id is not None:
                entry['id'] = new_id
            replaced = self.replace if new_id is None else self.target is not None and new_id != self.target.id
        entry.update(action=self.action, replaced=replaced,
                     previous_id=self.target.id if replaced else None,
                     expired_ids=[s.id for s in self.expire])
        return entry


def expired_view(silence, now):
    """How a silence looks once expired: Alertmanager sets its end (and a pending one's start) to now."""
    view = silence.describe()
    view['state'] = 'expired'
    view['ends_at'] = format_time(now)
    if silence.starts_at > now:
        view['starts_at'] = format_time(now)
    return view


def _pick_kept(candidates):
    """Of several identical live silences keep the active one that ends last."""
    return sorted(candidates, key=lambda s: (s.state != 'active', -s.ends_at.timestamp(), s.id))[0]


def _resolve_start(spec, target, now):
    """(start, keep): keep means "send the target's startsAt back unchanged"; start is now when it is now."""
    live = target is not None and target.state != 'expired'
    mode = spec.starts_at
    if mode is None:
        mode = 'inherit' if spec.id and live else NOW
    if mode == 'inherit' or (mode == NOW and live and target.state == 'active'):
        return target.starts_at, True
    if mode == NOW:
        return now, False  # identical to now: Change.stamp() moves it to the moment of sending
    if live and abs(mode - target.starts_at) < TIME_TOLERANCE:
        return target.starts_at, True
    return mode, False


def _plan_present(spec, target, now, duplicates):
    matchers = spec.matchers if spec.matchers is not None else target.matchers
    comment = spec.comment if spec.comment is not None else target.comment
    creator = spec.created_by if spec.created_by is not None else target.created_by
    start, keep_start = _resolve_start(spec, target, now)
    if spec.ends_at is not None:
        end = spec.ends_at
    elif spec.duration is not None:
        end = start + spec.duration
    else:
        end = target.ends_at
    shown = ', '.join(str(m) for m in matchers)
    if end <= now:
        raise SilenceError('the silence {%s} would end at %s, which is in the past (a duration counts from the '
                           'start, %s); give a later ends_at or a longer duration, or state=absent to end it'
                           % (shown, format_time(end), format_time(start)))
    if end <= start:
        raise SilenceError('the silence {%s} would end at %s, before it starts at %s'
                           % (shown, format_time(end), format_time(start)))
    after_state = 'pending' if start > now else 'active'
    start_now = not keep_start and start is now
    if target is None:
        payload = _payload(None, matchers, start_text=format_time(start), end=end, creator=creator, comment=comment)
        after = describe(None, after_state, matchers, comment, creator, starts_at=start, ends_at=end)
        change = Change(spec, 'create', payload=payload, expire=duplicates, after=after, differences=['missing'],
                        start_now=start_now)
        change.stamp(now)
        return change

    live = target.state != 'expired'
    same_matchers = frozenset(matchers) == frozenset(target.matchers)
    differences = [name for name, differs in (
        ('expired', not live),
        ('matchers', not same_matchers),
        ('comment', comment != target.comment),
        ('created_by', creator != target.created_by),
        ('starts_at', not keep_start),
        ('ends_at', abs(end - target.ends_at) >= TIME_TOLERANCE),
    ) if differs]
    before = target.describe()
    if not differences:
        return Change(spec, 'unchanged', target=target, expire=duplicates, before=before, after=before)
    # Alertmanager updates in place only when the matchers are identical, in order, and an
    # active silence keeps its exact start; so send the stored order and start back.
    ordered = target.matchers if same_matchers else matchers
    start_text = target.raw['startsAt'] if keep_start else format_time(start)
    replace = (not live or not same_matchers or (target.state == 'active' and not keep_start)
               or (target.state == 'pending' and start <= now))
    payload = _payload(target.id if live else None, ordered, start_text=start_text, end=end, creator=creator,
                       comment=comment)
    after = describe(None if replace else target.id, after_state, ordered, comment, creator,
                     starts_at=start, ends_at=end)
    change = Change(spec, 'update', target=target, payload=payload, expire=duplicates, replace=replace,
                    before=before, after=after, differences=differences, start_now=start_now)
    change.stamp(now)
    return change


def _payload(silence_id, matchers, *, start_text, end, creator, comment):
    payload = {
        'matchers': [m.to_api() for m in matchers],
        'startsAt': start_text,
        'endsAt': format_time(end),
        'createdBy': creator,
        'comment': comment,
    }
    if silence_id:
        payload['id'] = silence_id
    return payload


def plan(specs, silences, now, prune=False, prune_creators=()):
    """Turn declared silences and the server's list into changes, without any request.

    Returns (changes, pruned): one Change per spec, in order, and the live silences that
    ``prune`` expires (created by one of ``prune_creators`` and reached by no spec).
    Raises SilenceError for an unknown id, or when two specs reach the same silence.
    """
    by_id = dict((s.id, s) for s in silences)
    live_by_key = {}
    for silence in silences:
        if silence.state != 'expired':
            live_by_key.setdefault(silence.key(), []).append(silence)
    claimed = {}
    changes = []
    for index, spec in enumerate(specs):
        if spec.id:
            target = by_id.get(spec.id)
            if target is None and spec.state == 'present':
                raise SilenceError('there is no silence with id %s' % spec.id)
            matches = [target] if target is not None else []
        else:
            matches = list(live_by_key.get(spec.key(), []))
        for silence in matches:
            if silence.id in claimed:
                raise SilenceError('declared silences #%d and #%d both reach silence %s'
                                   % (claimed[silence.id] + 1, index + 1, silence.id))
            claimed[silence.id] = index
        if spec.state == 'absent':
            live = [s for s in matches if s.state != 'expired']
            changes.append(Change(spec, 'expire' if live else 'none', target=matches[0] if matches else None,
                                  expire=live))
            continue
        target = _pick_kept(matches) if matches else None
        changes.append(_plan_present(spec, target, now, [s for s in matches if s is not target]))
    pruned = []
    if prune:
        creators = set(prune_creators)
        pruned = [s for s in silences if s.state != 'expired' and s.created_by in creators and s.id not in claimed]
    return changes, pruned


# ------------------------------------------------------------------------------- client

class AlertmanagerClient(object):
    """The few Alertmanager v2 API calls the modules need."""

    def __init__(self, http):
        self.http = http

    @classmethod
    def from_params(cls, params):
        return cls(JsonHttpClient.from_params(params))

    @property
    def request_count(self):
        return self.http.request_count

    def list_silences(self, filters=None):
        """All silences (active, pending, expired); ``filters`` are Matchers the server filters on."""
        query = [('filter', str(m)) for m in filters or ()]
        data = self.http.request('GET', 'api/v2/silences', query=query or None)
        return [ExistingSilence.from_api(item) for item in data or []]

    def get_silence(self, silence_id):
        try:
            data = self.http.request('GET', 'api/v2/silence/%s' % quote(silence_id, safe=''))
        except HttpApiError as exc:
            if exc.status in (404, 422):
                # 422: not a UUID, so there can be no such silence either.
                return None
            raise
        return ExistingSilence.from_api(data)

    def post_silence(self, payload, idempotent=False):
        """Create or update a silence; returns the id Alertmanager answered with."""
        data = self.http.request('POST', 'api/v2/silences', body=payload, idempotent=idempotent)
        if not isinstance(data, dict) or not data.get('silenceID'):
            raise HttpApiError('POST api/v2/silences answered without a silenceID: %r' % (data,), 'POST',
                               self.http.url_for('api/v2/silences'))
        return data['silenceID']

    def expire_silence(self, silence_id):
        try:
            self.http.request('DELETE', 'api/v2/silence/%s' % quote(silence_id, safe=''))
        except HttpApiError as exc:
            if exc.status != 404:
                raise
            # Already gone: Alertmanager forgets expired silences after their retention time.

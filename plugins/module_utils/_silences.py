# -*- coding: utf-8 -*-
# Copyright: (c) 2026, TradPal platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Alertmanager silences without the network: what the silence modules decide before they write.

Matcher parsing, times and durations, what makes two silences the same one (identity),
the declared silence (SilenceSpec), and the plan that turns declared silences plus the
server's list into creates, updates and expirations. Unit tests import it directly.
"""

from __future__ import annotations

import getpass
import re
from collections import namedtuple
from datetime import datetime, timedelta, timezone

from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.tradpal.monitoring.plugins.module_utils._module import InputError
from ansible_collections.tradpal.monitoring.plugins.module_utils._re2 import RegexError, compile_regex

UTC = timezone.utc
# Start and end times this close count as equal: Alertmanager keeps milliseconds, a
# silence created "now" starts when the server receives it, and clocks differ a little.
TIME_TOLERANCE = timedelta(seconds=1)
# A start of "now" is sent this much earlier, so that Alertmanager, which moves a start in
# the past to its own now, starts the silence at once even when the controller's clock runs
# ahead of the server's (a pending silence would otherwise be replaced on every run).
START_BACKDATE = timedelta(minutes=1)
SILENCE_STATES = ('active', 'pending', 'expired')


class SilenceError(InputError):
    """Input that cannot become a valid silence; raised before any request that writes."""


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
        try:
            compile_regex(matcher.value)
        except RegexError as exc:
            raise SilenceError(str(exc)) from None
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

# The options that declare one silence. alertmanager_silence takes them at its top level and
# in each `silences` item, and build_spec() reads them: the one list of their names.
SILENCE_OPTIONS = dict(
    state=dict(type='str', choices=['present', 'absent']),
    id=dict(type='str'),
    key=dict(type='str', no_log=False),
    matchers=dict(type='list', elements='raw'),
    comment=dict(type='str'),
    created_by=dict(type='str'),
    starts_at=dict(type='str'),
    ends_at=dict(type='str'),
    duration=dict(type='str'),
)

# A silence's key is stored in its createdBy, as "<creator> [key:<key>]". The comment is
# for humans, who rewrite it in the web UI or with `amtool silence update --comment`;
# neither touches createdBy, so the key survives their edits.
_KEY_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.:/@-]{0,127}$')
_STORED_CREATOR_RE = re.compile(r'^(.*) \[key:([A-Za-z0-9][A-Za-z0-9_.:/@-]*)\]$', re.S)
_KEY_MARK = '[key:'


def stored_creator(created_by, key):
    """The createdBy Alertmanager stores: the creator, followed by the key when there is one."""
    return '%s [key:%s]' % (created_by, key) if key else created_by


def split_creator(stored):
    """(creator, key) from a stored createdBy; the key is None for a silence without one."""
    match = _STORED_CREATOR_RE.match(stored)
    return (match.group(1), match.group(2)) if match else (stored, None)


def identity(created_by, key, comment, matchers):
    """What makes two silences the same one.

    With a key: the creator and the key, so matchers and comment may change. Without one:
    the creator, the comment and the set of matchers (their order does not matter).
    """
    if key:
        return ('key', created_by, key)
    return ('content', created_by, comment, frozenset(matchers))


class ExistingSilence(namedtuple('ExistingSilence',
                                 ['id', 'state', 'key', 'matchers', 'comment', 'created_by', 'starts_at', 'ends_at',
                                  'updated_at', 'raw'])):
    """A silence as Alertmanager returned it; ``created_by`` and ``key`` are split from its createdBy."""

    __slots__ = ()

    @classmethod
    def from_api(cls, data):
        created_by, key = split_creator(data.get('createdBy', ''))
        return cls(
            id=data['id'],
            state=(data.get('status') or {}).get('state', 'active'),
            key=key,
            matchers=tuple(Matcher.from_api(m) for m in data.get('matchers') or []),
            comment=data.get('comment', ''),
            created_by=created_by,
            starts_at=parse_time(data['startsAt'], 'startsAt'),
            ends_at=parse_time(data['endsAt'], 'endsAt'),
            updated_at=data.get('updatedAt'),
            raw=data,
        )

    def identity(self):
        return identity(self.created_by, self.key, self.comment, self.matchers)

    def describe(self):
        return describe(self.id, self.state, self.matchers, self.comment, self.created_by, key=self.key,
                        starts_at=self.starts_at, ends_at=self.ends_at)


def describe(silence_id, state, matchers, comment, created_by, *, key, starts_at, ends_at):
    """The dict the modules return (and show in diffs) for one silence."""
    return {
        'id': silence_id,
        'state': state,
        'key': key,
        'matchers': [str(m) for m in matchers],
        'comment': comment,
        'created_by': created_by,
        'starts_at': format_time(starts_at) if starts_at else None,
        'ends_at': format_time(ends_at) if ends_at else None,
    }


class SilenceSpec(namedtuple('SilenceSpec',
                             ['id', 'state', 'key', 'matchers', 'comment', 'created_by', 'starts_at', 'ends_at',
                              'duration'])):
    """A declared silence, validated. ``starts_at`` is None (not given), NOW, or a future datetime.

    With ``id`` set, matchers, comment, created_by, start and end that are None are kept
    from the targeted silence. With ``key`` set and state absent, matchers and comment
    may be None.
    """

    __slots__ = ()

    def identity(self):
        return identity(self.created_by, self.key, self.comment, self.matchers)

    def content_identity(self):
        """The identity the silence had before it got its key, if that is known."""
        if self.matchers is None or self.comment is None:
            return None
        return identity(self.created_by, None, self.comment, self.matchers)


def _check_key_and_creator(key, creator):
    if key is not None and not _KEY_RE.match(key):
        raise SilenceError('key %r: use up to 128 letters, digits and _ . : / @ -, starting with a letter or digit'
                           % key)
    if creator and _KEY_MARK in creator:
        raise SilenceError('created_by %r may not contain %r; set key instead' % (creator, _KEY_MARK))


def build_spec(options, now, default_state='present', default_creator=None):
    """Validate one declared silence (module options or one ``silences`` item)."""
    options = dict((name, options.get(name)) for name in SILENCE_OPTIONS)
    state = options['state'] or default_state
    silence_id = options['id'] or None
    key = options['key'] or None
    if silence_id and key:
        raise SilenceError('set id or key, not both: each one names the silence')
    creator = options['created_by']
    if not creator and not silence_id:
        creator = default_creator or default_created_by()
    _check_key_and_creator(key, creator)
    # These alone name the silence: an id, or a key to expire.
    named = bool(silence_id or (key and state == 'absent'))
    matchers = None
    if options['matchers'] is not None or not named:
        matchers = parse_matchers(options['matchers'])
    comment = options['comment']
    if not named and not comment:
        raise SilenceError('comment is required%s' % (
            ' (Alertmanager shows it as the reason)' if key else ' (it is part of what identifies the silence)'))
    if state == 'absent':
        # Times do not matter for ending a silence.
        return SilenceSpec(silence_id, state, key, matchers, comment, creator, None, None, None)
    starts_at, ends_at, duration = _build_times(options, now, silence_id)
    return SilenceSpec(silence_id, state, key, matchers, comment, creator, starts_at, ends_at, duration)


def _build_times(options, now, silence_id):
    """(starts_at, ends_at, duration) of a silence to make present."""
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
    return starts_at, ends_at, duration


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
        mark = ('id', spec.id) if spec.id else spec.identity()
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
            entry = describe(spec.id, None, spec.matchers or (), spec.comment, spec.created_by, key=spec.key,
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
    # A silence found by id keeps its key; one found by what it says (no key declared) has none.
    key = spec.key or (target.key if target is not None else None)
    start, keep_start = _resolve_start(spec, target, now)
    if keep_start and target.state == 'active' and frozenset(matchers) != frozenset(target.matchers):
        # New matchers: Alertmanager replaces the silence, and the new one starts when it is made,
        # so a duration counts from then (as it will on the next run).
        start, keep_start = now, False
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
        payload = _payload(None, matchers, start_text=format_time(start), end=end,
                           creator=stored_creator(creator, key), comment=comment)
        after = describe(None, after_state, matchers, comment, creator, key=key, starts_at=start, ends_at=end)
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
        ('key', key != target.key),
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
    payload = _payload(target.id if live else None, ordered, start_text=start_text, end=end,
                       creator=stored_creator(creator, key), comment=comment)
    after = describe(None if replace else target.id, after_state, ordered, comment, creator, key=key,
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


def plan(specs, silences, now, prune_creator=None):
    """Turn declared silences and the server's list into changes, without any request.

    Returns (changes, pruned): one Change per spec, in order, and the live silences that
    pruning expires: those created by ``prune_creator`` that no spec reaches (none when
    it is None). Raises SilenceError for an unknown id, or when two specs reach the same
    silence.
    """
    by_id = dict((s.id, s) for s in silences)
    live = {}
    for silence in silences:
        if silence.state != 'expired':
            live.setdefault(silence.identity(), []).append(silence)
    # Silences declared without a key in this run are theirs, never adopted by a keyed declaration.
    declared_without_key = set(spec.identity() for spec in specs if not spec.id and not spec.key)
    claimed = {}
    changes = []
    for index, spec in enumerate(specs):
        if spec.id:
            target = by_id.get(spec.id)
            if target is None and spec.state == 'present':
                raise SilenceError('there is no silence with id %s' % spec.id)
            matches = [target] if target is not None else []
        else:
            matches = list(live.get(spec.identity(), []))
            if not matches and spec.key and spec.content_identity() not in declared_without_key:
                # A key added to a declared silence: adopt the silence it made before.
                matches = list(live.get(spec.content_identity(), []))
        for silence in matches:
            if silence.id in claimed:
                raise SilenceError('declared silences #%d and #%d both reach silence %s'
                                   % (claimed[silence.id] + 1, index + 1, silence.id))
            claimed[silence.id] = index
        if spec.state == 'absent':
            live_matches = [s for s in matches if s.state != 'expired']
            changes.append(Change(spec, 'expire' if live_matches else 'none',
                                  target=matches[0] if matches else None, expire=live_matches))
            continue
        target = _pick_kept(matches) if matches else None
        changes.append(_plan_present(spec, target, now, [s for s in matches if s is not target]))
    pruned = []
    if prune_creator is not None:
        pruned = [s for s in silences
                  if s.state != 'expired' and s.created_by == prune_creator and s.id not in claimed]
    return changes, pruned

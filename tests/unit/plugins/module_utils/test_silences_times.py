"""Times and durations of module_utils/_silences.py: UTC on the wire, zones required."""

import os
import time
from datetime import datetime, timedelta, timezone

import pytest
from ansible_collections.tradpal.monitoring.plugins.module_utils._silences import (
    SilenceError,
    format_time,
    parse_duration,
    parse_time,
    utcnow,
)

UTC = timezone.utc


@pytest.mark.parametrize(
    ('text', 'expected'),
    [
        ('2030-05-01T22:00:00Z', datetime(2030, 5, 1, 22, 0, tzinfo=UTC)),
        ('2030-05-01t22:00:00z', datetime(2030, 5, 1, 22, 0, tzinfo=UTC)),
        ('2030-05-01 22:00:00Z', datetime(2030, 5, 1, 22, 0, tzinfo=UTC)),
        ('2030-05-01T22:00Z', datetime(2030, 5, 1, 22, 0, tzinfo=UTC)),
        ('2030-05-02T00:00:00+02:00', datetime(2030, 5, 1, 22, 0, tzinfo=UTC)),
        ('2030-05-01T17:30:00-0430', datetime(2030, 5, 1, 22, 0, tzinfo=UTC)),
        ('2030-05-02T03:00:00+05', datetime(2030, 5, 1, 22, 0, tzinfo=UTC)),
        ('2030-05-01 22:00:00+00:00', datetime(2030, 5, 1, 22, 0, tzinfo=UTC)),
        # Alertmanager's own form, and Go's nanoseconds, cut to microseconds.
        ('2030-05-01T22:00:00.123Z', datetime(2030, 5, 1, 22, 0, 0, 123000, tzinfo=UTC)),
        ('2030-05-01T22:00:00.123456789Z', datetime(2030, 5, 1, 22, 0, 0, 123456, tzinfo=UTC)),
    ],
)
def test_timestamps_with_a_zone_become_utc(text, expected):
    parsed = parse_time(text)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize('text', ['2030-05-01T22:00:00', '2030-05-01 22:00', '2030-05-01T22:00:00.5'])
def test_a_naive_timestamp_is_an_error_not_a_guess(text):
    with pytest.raises(SilenceError, match='has no time zone'):
        parse_time(text, 'ends_at')


def test_a_naive_datetime_object_is_an_error_too():
    with pytest.raises(SilenceError, match='has no time zone'):
        parse_time(datetime(2030, 5, 1, 22, 0))
    assert parse_time(datetime(2030, 5, 2, 0, 0, tzinfo=timezone(timedelta(hours=2)))) \
        == datetime(2030, 5, 1, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ('text', 'message'),
    [
        ('2030-05-01', 'not an ISO-8601 timestamp'),
        ('tomorrow', 'not an ISO-8601 timestamp'),
        ('1714600800', 'not an ISO-8601 timestamp'),
        ('2030-13-01T00:00:00Z', 'month must be in 1..12'),
        ('2030-02-30T00:00:00Z', 'day is out of range'),
        ('2030-05-01T25:00:00Z', 'hour must be in 0..23'),
    ],
)
def test_unparsable_timestamps_are_refused(text, message):
    with pytest.raises(SilenceError, match=message):
        parse_time(text)


def test_format_time_writes_utc_with_milliseconds():
    assert format_time(datetime(2030, 5, 2, 0, 0, 1, 987654, tzinfo=timezone(timedelta(hours=2)))) \
        == '2030-05-01T22:00:01.987Z'
    assert parse_time(format_time(datetime(2030, 1, 1, 0, 0, 0, 5000, tzinfo=UTC))) \
        == datetime(2030, 1, 1, 0, 0, 0, 5000, tzinfo=UTC)


@pytest.fixture
def far_from_utc():
    """Run the test with the process's local zone set far from UTC."""
    old = os.environ.get('TZ')
    os.environ['TZ'] = 'XYZ-14'  # POSIX spelling of UTC+14; needs no zone database
    time.tzset()
    yield
    if old is None:
        del os.environ['TZ']
    else:
        os.environ['TZ'] = old
    time.tzset()


def test_the_local_zone_of_the_host_changes_nothing(far_from_utc):
    assert time.localtime(0).tm_hour == 14  # the fixture took effect: 1970-01-01T14:00 local
    assert format_time(parse_time('2030-05-01T22:00:00+02:00')) == '2030-05-01T20:00:00.000Z'
    assert abs(utcnow() - datetime.fromtimestamp(time.time(), UTC)) < timedelta(seconds=1)
    assert utcnow().utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ('text', 'seconds'),
    [('30m', 1800), ('2h', 7200), ('1d', 86400), ('1w', 604800), ('45s', 45), ('1h30m', 5400),
     ('1d12h', 129600), (' 90m ', 5400)],
)
def test_durations(text, seconds):
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ('text', 'message'),
    [('90', 'number with a unit'), ('1.5h', 'number with a unit'), ('2H', 'number with a unit'),
     ('1M', 'number with a unit'), ('', 'number with a unit'), ('h', 'number with a unit'),
     ('-1h', 'number with a unit'), ('0m', 'longer than zero'), ('0h0m', 'longer than zero')],
)
def test_bad_durations_are_refused(text, message):
    with pytest.raises(SilenceError, match=message):
        parse_duration(text)

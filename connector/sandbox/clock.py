"""FreshBooks' accounting timestamps are naive ``YYYY-MM-DD HH:MM:SS`` in US/Eastern.

Keeping that quirk in the sandbox is the point: a client that forgets to convert them to UTC
must fail here, not in production.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
ONE_SECOND = timedelta(seconds=1)


def now_eastern() -> datetime:
    """The current time as FreshBooks stores it: Eastern wall-clock time, naive, whole seconds."""
    return datetime.now(EASTERN).replace(tzinfo=None, microsecond=0)


def format_timestamp(moment: datetime) -> str:
    return moment.strftime(TIMESTAMP_FORMAT)


def format_utc_timestamp(moment: datetime) -> str:
    """The few fields FreshBooks keeps in UTC (client ``signup_date``) use the same layout."""
    return moment.replace(tzinfo=EASTERN).astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def next_update(previous: datetime | None) -> datetime:
    """A new ``updated`` value that is always later than the last one.

    Timestamps have one-second resolution; two changes within a second would otherwise leave
    ``updated`` unchanged and an incremental sync would miss the second change.
    """
    current = now_eastern()
    if previous is not None and current <= previous:
        return previous + ONE_SECOND
    return current


def parse_bound(text: str, *, upper: bool) -> datetime:
    """A search bound on a timestamp column, in Eastern naive time.

    FreshBooks documents day granularity (``YYYY-MM-DD``; the whole day is inside the range),
    but clients also send full timestamps, in FreshBooks' own layout or ISO 8601 with an offset.
    Raises ValueError when the text is neither.
    """
    text = text.strip()
    if len(text) == 10:
        day = date.fromisoformat(text)
        return datetime.combine(day, time.max if upper else time.min).replace(microsecond=0)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(EASTERN).replace(tzinfo=None)
    return moment

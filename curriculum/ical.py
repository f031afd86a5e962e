"""iCalendar (RFC 5545) feed of a person's sessions and deadlines, in Japan Standard Time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event, Timezone, TimezoneStandard

from core.dates import TOKYO, to_tokyo

PRODID = "-//Renkei//8-city study meeting//JA"
UID_DOMAIN = "renkei.8cities"


@dataclass(frozen=True)
class CalendarEntry:
    uid: str  # stable across regenerations: "session-12", "assignment-7-due"
    summary: str
    starts_at: datetime  # aware
    ends_at: datetime  # aware
    location: str = ""
    description: str = ""
    url: str = ""
    updated_at: datetime | None = None


def _tokyo_timezone() -> Timezone:
    """Asia/Tokyo: +09:00 all year (no daylight saving since 1951)."""
    tz = Timezone()
    tz.add("tzid", "Asia/Tokyo")
    tz.add("x-lic-location", "Asia/Tokyo")
    standard = TimezoneStandard()
    standard.add("tzname", "JST")
    standard.add("dtstart", datetime(1951, 9, 8, 0, 0))
    standard.add("tzoffsetfrom", timedelta(hours=9))
    standard.add("tzoffsetto", timedelta(hours=9))
    tz.add_component(standard)
    return tz


def build(name: str, entries: list[CalendarEntry], *, now: datetime) -> bytes:
    """A VCALENDAR with a VTIMEZONE for Asia/Tokyo and one VEVENT per entry (times with TZID)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Tokyo")
    cal.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add_component(_tokyo_timezone())
    for entry in entries:
        event = Event()
        event.add("uid", f"{entry.uid}@{UID_DOMAIN}")
        event.add("dtstamp", now)
        event.add("summary", entry.summary)
        event.add("dtstart", to_tokyo(entry.starts_at).replace(tzinfo=TOKYO))
        event.add("dtend", to_tokyo(entry.ends_at).replace(tzinfo=TOKYO))
        if entry.location:
            event.add("location", entry.location)
        if entry.description:
            event.add("description", entry.description)
        if entry.url:
            event.add("url", entry.url)
        if entry.updated_at is not None:
            event.add("last-modified", entry.updated_at)
        cal.add_component(event)
    return cal.to_ical()

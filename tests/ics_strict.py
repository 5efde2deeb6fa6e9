"""A strict reading of an iCalendar file (RFC 5545), for the tests of every .ics consult writes.

icalendar's own parser forgives a great deal (it collects errors instead of raising, accepts
LF line ends and long lines); calendar software does not all forgive the same. This check
refuses what the RFC refuses and what our subscribers would trip on: a line not ended by CRLF,
a line longer than 75 octets, unbalanced BEGIN/END, a calendar without VERSION 2.0 or PRODID,
an event without exactly one UID, DTSTAMP and DTSTART, an end not after its start, a
SEQUENCE that is not a non-negative integer, a UID twice in one calendar, and any property
the parser could not read.
"""

from __future__ import annotations

from icalendar import Calendar


class NotStrictICalendar(AssertionError):
    pass


def _lines(data: bytes) -> list[bytes]:
    if not data.endswith(b"\r\n"):
        raise NotStrictICalendar("the file does not end with CRLF")
    raw = data[:-2].split(b"\r\n")
    for number, line in enumerate(raw, 1):
        if b"\n" in line or b"\r" in line:
            raise NotStrictICalendar(f"line {number}: a bare CR or LF (lines end with CRLF)")
        if len(line) > 75:
            raise NotStrictICalendar(f"line {number}: {len(line)} octets (at most 75, folded)")
    unfolded: list[bytes] = []
    for line in raw:
        if line[:1] in (b" ", b"\t") and unfolded:
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    return unfolded


def parse(data: bytes) -> Calendar:
    """The calendar, or NotStrictICalendar saying what is wrong with it."""
    stack: list[bytes] = []
    for line in _lines(data):
        name, _, value = line.partition(b":")
        if name == b"BEGIN":
            stack.append(value)
        elif name == b"END" and (not stack or stack.pop() != value):
            raise NotStrictICalendar(f"END:{value.decode()} does not close what is open")
    if stack:
        raise NotStrictICalendar(f"not closed: {stack}")
    calendar = Calendar.from_ical(data)
    problems = [f"{c.name}: {e}" for c in calendar.walk() for e in getattr(c, "errors", [])]
    if problems:
        raise NotStrictICalendar("; ".join(map(str, problems)))
    if str(calendar.get("version")) != "2.0" or not calendar.get("prodid"):
        raise NotStrictICalendar("VCALENDAR needs VERSION:2.0 and a PRODID")
    uids = []
    for event in calendar.walk("VEVENT"):
        for prop in ("UID", "DTSTAMP", "DTSTART"):
            if prop not in event or isinstance(event[prop], list):
                raise NotStrictICalendar(f"a VEVENT needs exactly one {prop}")
        start, end = event.decoded("dtstart"), event.decoded("dtend", None)
        if end is not None and not end > start:
            raise NotStrictICalendar(f"{event['uid']}: DTEND is not after DTSTART")
        if "SEQUENCE" in event and not (
            isinstance(event.decoded("sequence"), int) and event.decoded("sequence") >= 0
        ):
            raise NotStrictICalendar(f"{event['uid']}: SEQUENCE is not a non-negative integer")
        uids.append(str(event["uid"]))
    if len(set(uids)) != len(uids):
        raise NotStrictICalendar(f"a UID appears twice: {uids}")
    return calendar


def events(data: bytes) -> list:
    """The VEVENTs of a strictly valid calendar."""
    return list(parse(data).walk("VEVENT"))

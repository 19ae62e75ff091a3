// A small iCalendar (RFC 5545) writer for the calendar feed of a person's deadlines (api/operations/calendar-feed.ts).
// Hand-written: no iCalendar library is installed, and the feed needs only all-day VEVENTs. What it keeps of the RFC:
// CRLF line ends (3.1), lines folded at 75 octets with CRLF + space and never inside a UTF-8 sequence (3.1), TEXT
// escaping of backslash, semicolon, comma and newlines (3.3.11), all-day dates as DTSTART;VALUE=DATE with the next day
// as DTEND (3.6.1), DTSTAMP in UTC, and a UID per deadline that stays the same on every fetch (3.8.4.7).
// Not part of the workflow bundle (domain/index.ts does not export it).

export interface CalendarEvent {
  /** Stable across fetches: the same deadline is the same event, so calendars update it instead of duplicating it. */
  uid: string;
  /** The calendar day (YYYY-MM-DD). */
  date: string;
  summary: string;
  description?: string;
  url?: string;
}

export interface Calendar {
  name: string;
  /** DTSTAMP of every event (UTC). */
  stamp: Date;
  events: CalendarEvent[];
}

/** TEXT value escaping (RFC 5545 3.3.11). */
export function escapeText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

/** Folds a content line into lines of at most 75 octets; continuation lines start with one space (RFC 5545 3.1). */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = utf8.encode(char).length;
    // The first line holds 75 octets, each continuation 74 after its leading space.
    const limit = parts.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

const utf8 = new TextEncoder();
const basicDate = (date: string) => date.replace(/-/g, '');
const nextDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const utcStamp = (at: Date) => at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** The feed as one iCalendar object, CRLF-terminated lines. */
export function serializeCalendar(calendar: Calendar): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Kreis Euskirchen//KIM Casework//DE',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(calendar.name)}`,
    'X-WR-TIMEZONE:Europe/Berlin',
  ];
  for (const event of calendar.events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${event.uid}`,
      `DTSTAMP:${utcStamp(calendar.stamp)}`,
      `DTSTART;VALUE=DATE:${basicDate(event.date)}`,
      `DTEND;VALUE=DATE:${basicDate(nextDay(event.date))}`,
      `SUMMARY:${escapeText(event.summary)}`,
      ...(event.description ? [`DESCRIPTION:${escapeText(event.description)}`] : []),
      ...(event.url ? [`URL:${event.url}`] : []),
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

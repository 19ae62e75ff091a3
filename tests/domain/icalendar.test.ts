// The calendar feed's iCalendar writer (RFC 5545): CRLF lines, folding at 75 octets without splitting a UTF-8
// character, TEXT escaping, all-day dates, a UID that stays the same.
import { describe, expect, it } from 'vitest';
import { escapeText, foldLine, serializeCalendar } from '../../domain/icalendar.js';

const unfold = (ics: string) => ics.replace(/\r\n /g, '');

describe('iCalendar writer', () => {
  const stamp = new Date('2026-12-06T09:45:12.345Z');
  const ics = serializeCalendar({
    name: 'KIM-Fristen',
    stamp,
    events: [
      { uid: 'd-1@kim-casework', date: '2027-01-31', summary: 'Zieltermin – Fall 1a2b3c4d', description: 'Ziel; „Sprachkurs, B1“\nzweite Zeile', url: 'https://kim.example/faelle/1' },
      { uid: 'd-2@kim-casework', date: '2026-12-31', summary: 'Nachfrage zur Vermittlung – Fall 9f8e7d6c' },
    ],
  });

  it('ends every line with CRLF and has no bare LF', () => {
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:')).toBe(true);
    expect(ics.trimEnd().endsWith('END:VCALENDAR')).toBe(true);
  });

  it('writes all-day events: DTSTART;VALUE=DATE and the next day as DTEND (also over a year end), DTSTAMP in UTC', () => {
    const text = unfold(ics);
    expect(text).toContain('DTSTART;VALUE=DATE:20270131\r\nDTEND;VALUE=DATE:20270201');
    expect(text).toContain('DTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270101');
    expect(text).toContain('DTSTAMP:20261206T094512Z');
    expect(text.match(/BEGIN:VEVENT/g)).toHaveLength(2);
    expect(text).toContain('UID:d-1@kim-casework');
  });

  it('is the same text for the same deadlines (stable UIDs, stable order)', () => {
    const again = serializeCalendar({ name: 'KIM-Fristen', stamp, events: [
      { uid: 'd-1@kim-casework', date: '2027-01-31', summary: 'Zieltermin – Fall 1a2b3c4d', description: 'Ziel; „Sprachkurs, B1“\nzweite Zeile', url: 'https://kim.example/faelle/1' },
      { uid: 'd-2@kim-casework', date: '2026-12-31', summary: 'Nachfrage zur Vermittlung – Fall 9f8e7d6c' },
    ] });
    expect(again).toBe(ics);
  });

  it('escapes backslash, semicolon, comma and newlines in TEXT', () => {
    expect(escapeText('a\\b;c,d\ne')).toBe('a\\\\b\\;c\\,d\\ne');
    expect(unfold(ics)).toContain('DESCRIPTION:Ziel\\; „Sprachkurs\\, B1“\\nzweite Zeile');
  });

  it('folds long lines at 75 octets, never inside a UTF-8 character', () => {
    const long = `SUMMARY:${'Überprüfung – '.repeat(20)}`;
    const folded = foldLine(long);
    const lines = folded.split('\r\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
    for (const line of lines.slice(1)) expect(line.startsWith(' ')).toBe(true);
    expect(folded.replace(/\r\n /g, '')).toBe(long);
    // No replacement characters: every piece is valid UTF-8 on its own.
    for (const line of lines) expect(new TextDecoder('utf-8', { fatal: true }).decode(new TextEncoder().encode(line))).toBe(line);
    expect(foldLine('short')).toBe('short');
  });
});

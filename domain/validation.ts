// Shared zod building blocks and German field messages (422 bodies: `fields` maps a dotted path to a message).
import { z } from 'zod';
import { isIsoDate, isIsoTimestamp } from './dates.js';

export const MSG = {
  required: 'Pflichtfeld',
  invalidDate: 'Ungültiges Datum (erwartet JJJJ-MM-TT)',
  invalidTimestamp: 'Ungültiger Zeitpunkt (erwartet ISO 8601 mit Zeitzone, z. B. 2025-03-01T09:30:00+01:00)',
  invalidDateOrTimestamp: 'Ungültiges Datum (erwartet JJJJ-MM-TT oder ISO-Zeitpunkt)',
  outOfRange: 'Datum außerhalb des zulässigen Bereichs (1900–2999)',
} as const;

/** PostgreSQL text and jsonb cannot hold NUL: refused here, before a workflow accepts what its record cannot store. */
const noNul = (v: string) => !v.includes('\u0000');
const NUL_MESSAGE = 'Unzulässiges Steuerzeichen (NUL)';

// ---------------------------------------------------------------------------------------------------------------
// JSON Schema of the refinements. z.toJSONSchema (the OpenAPI document, api/v1/openapi.ts) cannot see into a
// refine(), so each refined schema carries the equivalent JSON Schema keywords as metadata (`.meta()`): ECMA-262
// patterns that accept exactly what the refine accepts. Metadata changes no parse result.

const MONTH_DAY = '(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8]))';
/** Leap years: divisible by 4, centuries only when divisible by 400 — but not 0000, which isIsoDate takes for 1900
 *  (Date.UTC maps the years 0–99 to 1900–1999). */
const LEAP_YEAR = '(?:\\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)';
const DATE = `(?:\\d{4}-${MONTH_DAY}|${LEAP_YEAR}-02-29)`;
/** The same from 1900-01-01 on (birth dates). */
const DATE_FROM_1900 =
  `(?:(?:19\\d{2}|[2-9]\\d{3})-${MONTH_DAY}|` +
  '(?:19(?:0[48]|[2468][048]|[13579][26])|[2-9]\\d(?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[3579][26])00)-02-29)';
/** The same from 1900 to 2999: dates of case records (contacts, goals, meetings, …), which PostgreSQL and every
 *  reader can hold and which a person can mean. */
const RECORD_DATE =
  `(?:(?:19\\d{2}|2\\d{3})-${MONTH_DAY}|` +
  '(?:19(?:0[48]|[2468][048]|[13579][26])|2\\d(?:0[48]|[2468][048]|[13579][26])|2[048]00)-02-29)';
const TIME = 'T(?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d{1,9})?)?(?:Z|[+-](?:0\\d|1[0-4]):[0-5]\\d)';

export const JSON_SCHEMA_PATTERNS = {
  /** isIsoDate: `YYYY-MM-DD` that exists in the calendar. */
  date: `^${DATE}$`,
  /** isIsoDate and not before 1900-01-01. */
  dateFrom1900: `^${DATE_FROM_1900}$`,
  /** isIsoTimestamp: seconds and fraction optional, offset `Z` or `±hh:mm` (hours up to 14). */
  timestamp: `^${DATE}${TIME}$`,
  dateOrTimestamp: `^${DATE}(?:${TIME})?$`,
  /** isIsoDate within the record range (1900–2999). */
  recordDate: `^${RECORD_DATE}$`,
  /** isIsoTimestamp whose date is within the record range. */
  recordTimestamp: `^${RECORD_DATE}${TIME}$`,
  recordDateOrTimestamp: `^${RECORD_DATE}(?:${TIME})?$`,
  /** Not blank after trimming (`\\s` is exactly what String.prototype.trim removes). */
  notBlank: '\\S',
  /** Not blank after trimming, and no NUL. */
  text: '^\\s*[^\\s\\u0000][^\\u0000]*$',
  /** No NUL. */
  noNul: '^[^\\u0000]*$',
} as const;

/** Non-empty (after trimming) text. */
export const text = (max = 2000) =>
  z.string().trim().min(1).max(max).refine(noNul, NUL_MESSAGE).meta({ pattern: JSON_SCHEMA_PATTERNS.text });
export const optionalText = (max = 2000) => text(max).optional();
export const id = () => z.string().trim().min(1).max(200).refine(noNul, NUL_MESSAGE).meta({ pattern: JSON_SCHEMA_PATTERNS.text });

/** Dates of case records lie in 1900–2999 (by their written date): year 0000 or 9999 is a typing error, and a date
 *  the database cannot store would stop the case's record for good. */
export const inRecordRange = (v: string) => v.slice(0, 10) >= '1900-01-01' && v.slice(0, 10) <= '2999-12-31';

/** `YYYY-MM-DD` that exists in the calendar, 1900–2999. */
export const isoDate = () =>
  z
    .string()
    .refine(isIsoDate, { message: MSG.invalidDate })
    .refine(inRecordRange, { message: MSG.outOfRange })
    .meta({ format: 'date', pattern: JSON_SCHEMA_PATTERNS.recordDate });
/** ISO 8601 timestamp with offset, 1900–2999. */
export const isoTimestamp = () =>
  z
    .string()
    .refine(isIsoTimestamp, { message: MSG.invalidTimestamp })
    .refine(inRecordRange, { message: MSG.outOfRange })
    .meta({ pattern: JSON_SCHEMA_PATTERNS.recordTimestamp, description: 'ISO 8601 mit Offset (Z oder ±hh:mm), Sekunden optional; 1900–2999' });
export const isoDateOrTimestamp = () =>
  z
    .string()
    .refine((v) => isIsoDate(v) || isIsoTimestamp(v), { message: MSG.invalidDateOrTimestamp })
    .refine(inRecordRange, { message: MSG.outOfRange })
    .meta({ pattern: JSON_SCHEMA_PATTERNS.recordDateOrTimestamp, description: 'JJJJ-MM-TT oder ISO 8601 mit Offset; 1900–2999' });

export const requestIdField = {
  requestId: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .meta({ pattern: JSON_SCHEMA_PATTERNS.notBlank, description: 'Idempotenzschlüssel: dieselbe requestId bekommt die erste Antwort' })
    .optional(),
};

const TYPE_LABELS: Record<string, string> = {
  string: 'Text',
  number: 'Zahl',
  int: 'ganze Zahl',
  boolean: 'Ja/Nein',
  array: 'Liste',
  object: 'Objekt',
};

type Issue = z.core.$ZodRawIssue;

/** German message for a zod issue that has no schema-specific message. */
export function germanMessage(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined || issue.input === null) return MSG.required;
      return `Ungültiger Typ (erwartet: ${TYPE_LABELS[issue.expected] ?? issue.expected})`;
    case 'invalid_value':
      if (issue.input === undefined || issue.input === null) return MSG.required;
      return `Ungültiger Wert (erlaubt: ${issue.values.map(String).join(', ')})`;
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min <= 1 ? MSG.required : `Mindestens ${min} Zeichen`;
      if (issue.origin === 'array') return min === 1 ? 'Mindestens ein Eintrag' : `Mindestens ${min} Einträge`;
      return `Muss mindestens ${min} sein`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return `Höchstens ${max} Zeichen`;
      if (issue.origin === 'array') return `Höchstens ${max} Einträge`;
      return `Darf höchstens ${max} sein`;
    }
    case 'invalid_format':
      return 'Ungültiges Format';
    case 'unrecognized_keys':
      return `Unbekannte Felder: ${issue.keys.join(', ')}`;
    default:
      return 'Ungültiger Wert';
  }
}

export type FieldErrors = Record<string, string>;

/** Flattens zod issues to `{ "goals.0.dueDate": "Ungültiges Datum …" }` (first message per field wins). */
export function issuesToFields(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path.length ? issue.path.map(String).join('.') : 'body';
    if (!(key in fields)) fields[key] = issue.message;
  }
  return fields;
}

export type ParseResult<T> = { ok: true; payload: T } | { ok: false; fields: FieldErrors };

/** safeParse with German messages. A missing body counts as `{}` (actions without fields). */
export function parseWith<S extends z.ZodType>(schema: S, body: unknown): ParseResult<z.output<S>> {
  const result = schema.safeParse(body ?? {}, { error: (issue) => germanMessage(issue) });
  if (result.success) return { ok: true, payload: result.data };
  return { ok: false, fields: issuesToFields(result.error.issues) };
}

// Shared zod building blocks and German field messages (422 bodies: `fields` maps a dotted path to a message), for the
// API and its request schemas. Not for workflows: they check payloads in plain code (payload-check.ts, whose messages
// and rules these share).
import { z } from 'zod';
import { isIsoDate, isIsoTimestamp } from './dates.js';
import { inRecordRange, ISSUE_MESSAGES, MSG, noNul, NUL_MESSAGE, type FieldErrors, type ParseResult } from './payload-check.js';

export { inRecordRange, MSG, type FieldErrors, type ParseResult } from './payload-check.js';

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

type Issue = z.core.$ZodRawIssue;

/** German message for a zod issue that has no schema-specific message. */
export function germanMessage(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return ISSUE_MESSAGES.invalidType(issue.input, issue.expected);
    case 'invalid_value':
      return ISSUE_MESSAGES.invalidValue(issue.input, issue.values);
    case 'too_small':
      return ISSUE_MESSAGES.tooSmall(issue.origin, Number(issue.minimum));
    case 'too_big':
      return ISSUE_MESSAGES.tooBig(issue.origin, Number(issue.maximum));
    case 'invalid_format':
      return 'Ungültiges Format';
    case 'unrecognized_keys':
      return `Unbekannte Felder: ${issue.keys.join(', ')}`;
    default:
      return 'Ungültiger Wert';
  }
}

/** Flattens zod issues to `{ "goals.0.dueDate": "Ungültiges Datum …" }` (first message per field wins). */
export function issuesToFields(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path.length ? issue.path.map(String).join('.') : 'body';
    if (!(key in fields)) fields[key] = issue.message;
  }
  return fields;
}

/** safeParse with German messages. A missing body counts as `{}` (actions without fields). */
export function parseWith<S extends z.ZodType>(schema: S, body: unknown): ParseResult<z.output<S>> {
  const result = schema.safeParse(body ?? {}, { error: (issue) => germanMessage(issue) });
  if (result.success) return { ok: true, payload: result.data };
  return { ok: false, fields: issuesToFields(result.error.issues) };
}

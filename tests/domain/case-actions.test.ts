import { describe, expect, it } from 'vitest';
import {
  CASE_ACTIONS,
  actionPayloadSchemas,
  isIsoDate,
  isIsoTimestamp,
  parseActionPayload,
  parseCreateCase,
} from '../../domain/index.js';
import { CaseDriver, goal, toGoalPlanning, withConsents } from './helpers.js';

function fields(action: Parameters<typeof parseActionPayload>[0], body: unknown): Record<string, string> {
  const r = parseActionPayload(action, body);
  if (r.ok) expect.fail(`expected ${action} to fail for ${JSON.stringify(body)}`);
  return r.fields;
}

describe('dates', () => {
  it('rejects impossible calendar dates and malformed timestamps', () => {
    expect(isIsoDate('2025-02-28')).toBe(true);
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('2025-02-30')).toBe(false);
    expect(isIsoDate('2025-13-01')).toBe(false);
    expect(isIsoDate('2025-4-1')).toBe(false);
    expect(isIsoTimestamp('2025-03-01T09:30:00+01:00')).toBe(true);
    expect(isIsoTimestamp('2025-03-01T09:30Z')).toBe(true);
    expect(isIsoTimestamp('2025-03-01T24:00:00Z')).toBe(false);
    expect(isIsoTimestamp('2025-02-30T10:00:00Z')).toBe(false);
    expect(isIsoTimestamp('2025-03-01T09:30:00')).toBe(false); // offset required
  });
});

describe('action payloads', () => {
  it('has a schema for every action and accepts an optional requestId everywhere', () => {
    expect(Object.keys(actionPayloadSchemas).sort()).toEqual([...CASE_ACTIONS].sort());
    expect(parseActionPayload('start-assessment', { requestId: 'r-1' })).toEqual({ ok: true, payload: { requestId: 'r-1' } });
    expect(parseActionPayload('start-assessment', undefined)).toEqual({ ok: true, payload: {} });
  });

  it('reports missing fields as Pflichtfeld under their names', () => {
    expect(fields('assign', {})).toEqual({ assigneeId: 'Pflichtfeld' });
    expect(fields('put-on-hold', { reason: '   ' })).toEqual({ reason: 'Pflichtfeld' });
    expect(fields('transfer', {})).toEqual({ organisationId: 'Pflichtfeld', reason: 'Pflichtfeld' });
    expect(Object.keys(fields('close', {})).sort()).toEqual(['goalAttainment', 'reason']);
    expect(fields('record-contact', { kind: 'phone' })).toEqual({ date: 'Pflichtfeld', durationMinutes: 'Pflichtfeld' });
  });

  it('reports invalid enum values with the allowed list', () => {
    const f = fields('record-contact', { kind: 'fax', date: '2025-03-01', durationMinutes: 10 });
    expect(f.kind).toMatch(/^Ungültiger Wert \(erlaubt: counselling, accompaniment, outreach, phone, digital, joint_first_appointment\)$/);
    expect(fields('complete-review', { outcome: 'maybe' }).outcome).toMatch(/Ungültiger Wert/);
  });

  it('rejects impossible dates in nested fields with their path', () => {
    const f = fields('agree-goals', { goals: [goal(), { ...goal(), dueDate: '2025-02-30' }] });
    expect(f).toEqual({ 'goals.1.dueDate': 'Ungültiges Datum (erwartet JJJJ-MM-TT)' });
    expect(fields('update-goal', { goalId: 'g', status: 'open', dueDate: '31.12.2025' })).toEqual({
      dueDate: 'Ungültiges Datum (erwartet JJJJ-MM-TT)',
    });
    expect(fields('record-contact', { kind: 'phone', date: '2025-02-30T10:00:00Z', durationMinutes: 5 }).date).toMatch(
      /Ungültiges Datum/,
    );
  });

  it('validates types and ranges', () => {
    expect(fields('record-contact', { kind: 'phone', date: '2025-03-01', durationMinutes: '10' }).durationMinutes).toMatch(
      /Ungültiger Typ/,
    );
    expect(fields('record-contact', { kind: 'phone', date: '2025-03-01', durationMinutes: -1 }).durationMinutes).toMatch(
      /mindestens 0/,
    );
    expect(fields('agree-goals', { goals: [] })).toEqual({ goals: 'Mindestens ein Eintrag' });
  });

  it('requires partner and purpose for sharing consent', () => {
    expect(fields('record-consent', { scope: 'share_with_partner', decision: 'given' })).toEqual({
      partnerName: 'Partnerorganisation oder Partnername angeben',
      purpose: 'Pflichtfeld bei Weitergabe an Partner',
    });
    expect(parseActionPayload('record-consent', { scope: 'data_processing', decision: 'given' }).ok).toBe(true);
  });

  it('requires closure data when a review ends with close', () => {
    expect(Object.keys(fields('complete-review', { outcome: 'close' })).sort()).toEqual(['closureReason', 'goalAttainment']);
    expect(parseActionPayload('complete-review', { outcome: 'continue' }).ok).toBe(true);
  });

  it('rejects duplicate life areas', () => {
    const area = { area: 'work', situation: 'arbeitssuchend', need: 'high' };
    expect(fields('complete-assessment', { lifeAreas: [area, area] })).toEqual({
      lifeAreas: 'Jeder Lebensbereich darf nur einmal vorkommen',
    });
  });

  it('decide turns payload errors into validation_failed with fields', () => {
    const d = new CaseDriver();
    const r = d.try('record-contact', { kind: 'phone', date: '2025-02-30', durationMinutes: 5 });
    expect(r).toMatchObject({ ok: false, error: { code: 'validation_failed', fields: { date: expect.stringMatching(/Ungültiges Datum/) } } });
  });

  it('decide checks dates against now: no future contacts, no past goal due dates', () => {
    const d = new CaseDriver();
    const future = d.try('record-contact', { kind: 'phone', date: '2025-03-05', durationMinutes: 5 });
    expect(future).toMatchObject({ ok: false, error: { fields: { date: 'Datum liegt in der Zukunft' } } });
    const later = d.try('record-contact', { kind: 'phone', date: '2025-03-03T10:00:00+00:00', durationMinutes: 5 });
    expect(later).toMatchObject({ ok: false, error: { fields: { date: 'Datum liegt in der Zukunft' } } });
    // same instant written with another offset is fine (now = 09:00Z)
    expect(d.try('record-contact', { kind: 'phone', date: '2025-03-03T10:00:00+01:00', durationMinutes: 5 }).ok).toBe(true);
    withConsents(d);
    toGoalPlanning(d);
    const past = d.try('agree-goals', { goals: [goal('x', '2025-01-01')] });
    expect(past).toMatchObject({ ok: false, error: { fields: { 'goals.0.dueDate': 'Zieltermin liegt in der Vergangenheit' } } });
  });
});

describe('create case body', () => {
  const valid = {
    person: { givenName: 'Amina', familyName: 'Haddad', birthDate: '1995-06-15', municipality: 'Mechernich', languages: ['ar', 'de'] },
    source: 'outreach',
  };
  const today = '2025-03-03T10:00:00+01:00';

  it('accepts a valid body', () => {
    const r = parseCreateCase(valid, today);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.payload.person.municipality).toBe('Mechernich');
  });

  it('rejects unknown municipality, impossible/future/old birth dates, missing names, bad source', () => {
    const bad = (person: object, extra: object = {}) => {
      const r = parseCreateCase({ ...valid, ...extra, person: { ...valid.person, ...person } }, today);
      return r.ok ? {} : r.fields;
    };
    expect(bad({ municipality: 'Bonn' })['person.municipality']).toMatch(/Unbekannte Gemeinde/);
    expect(bad({ municipality: undefined })).toEqual({ 'person.municipality': 'Pflichtfeld' });
    expect(bad({ birthDate: '2001-02-29' })).toEqual({ 'person.birthDate': 'Ungültiges Datum (erwartet JJJJ-MM-TT)' });
    expect(bad({ birthDate: '2025-03-04' })).toEqual({ 'person.birthDate': 'Geburtsdatum liegt in der Zukunft' });
    expect(bad({ birthDate: '1899-12-31' })).toEqual({ 'person.birthDate': 'Geburtsdatum vor 1900 ist nicht plausibel' });
    expect(bad({ givenName: '', familyName: undefined })).toEqual({
      'person.givenName': 'Pflichtfeld',
      'person.familyName': 'Pflichtfeld',
    });
    expect(bad({}, { source: 'internet' }).source).toMatch(/Ungültiger Wert/);
    const missing = parseCreateCase({}, today);
    expect(missing.ok ? {} : missing.fields).toEqual({ person: 'Pflichtfeld', source: 'Pflichtfeld' });
  });

  it('defaults languages to an empty list', () => {
    const { languages: _l, ...person } = valid.person;
    const r = parseCreateCase({ ...valid, person }, today);
    expect(r.ok && r.payload.person.languages).toEqual([]);
  });
});

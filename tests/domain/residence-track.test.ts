// The residence-law track (issue 16 item 2, process rules 9): checks of an entry, the track it gives, the expiry
// deadline it arms, moves, meets or cancels — the pure functions and the handler through decide().
import { describe, expect, it } from 'vitest';
import {
  actionPayloadSchemas,
  anonymiseEvent,
  checkActionPayload,
  partnerCaseView,
  defaultCaseSettings,
  endOfDayBerlin,
  expiryDeadlineTimes,
  planExpiryDeadline,
  residenceTrackErrors,
  residenceTrackOf,
  residenceTrackSummary,
  titleLabel,
  usesResidenceTrack,
  type ResidenceTrackInput,
} from '../../domain/index.js';
import { CaseDriver, cmDrk } from './helpers.js';

const TODAY = '2025-03-03';
const base: ResidenceTrackInput = { currentTitle: 'duldung' };

describe('an entry is checked beyond its shape', () => {
  it('accepts a plain title, and a full track with outcome today', () => {
    expect(residenceTrackErrors(base, TODAY)).toEqual({});
    expect(
      residenceTrackErrors({ currentTitle: 'p60d', expiresOn: '2025-09-30', targetTitle: 'p25b', achievements: ['language', 'livelihood'], outcome: 'reached', outcomeOn: TODAY, outcomeNote: 'erteilt' }, TODAY),
    ).toEqual({});
  });

  it('wants the text of `other` and only there', () => {
    expect(residenceTrackErrors({ currentTitle: 'other' }, TODAY)).toEqual({ currentTitleText: expect.stringMatching(/Pflicht/) });
    expect(residenceTrackErrors({ currentTitle: 'other', currentTitleText: '§ 23 AufenthG' }, TODAY)).toEqual({});
    expect(residenceTrackErrors({ currentTitle: 'duldung', currentTitleText: 'x' }, TODAY)).toEqual({ currentTitleText: expect.stringMatching(/Nur bei/) });
    expect(residenceTrackErrors({ ...base, targetTitle: 'other' }, TODAY)).toEqual({ targetTitleText: expect.stringMatching(/Pflicht/) });
    expect(residenceTrackErrors({ ...base, targetTitle: 'other', targetTitleText: '§ 18a' }, TODAY)).toEqual({});
    expect(residenceTrackErrors({ ...base, targetTitle: 'p25b', targetTitleText: 'x' }, TODAY)).toEqual({ targetTitleText: expect.stringMatching(/Nur bei/) });
    expect(residenceTrackErrors({ ...base, targetTitleText: 'x' }, TODAY)).toEqual({ targetTitleText: expect.stringMatching(/Nur bei/) });
  });

  it('refuses an expiry date of an unlimited title, the same title as target, an achievement twice', () => {
    expect(residenceTrackErrors({ currentTitle: 'niederlassungserlaubnis', expiresOn: '2030-01-01' }, TODAY)).toEqual({ expiresOn: expect.stringMatching(/unbefristet/) });
    expect(residenceTrackErrors({ currentTitle: 'einbuergerung', expiresOn: '2030-01-01' }, TODAY)).toEqual({ expiresOn: expect.stringMatching(/unbefristet/) });
    expect(residenceTrackErrors({ currentTitle: 'p25b', expiresOn: '2030-01-01' }, TODAY)).toEqual({});
    expect(residenceTrackErrors({ currentTitle: 'p25b', targetTitle: 'p25b' }, TODAY)).toEqual({ targetTitle: expect.stringMatching(/entspricht/) });
    expect(residenceTrackErrors({ currentTitle: 'other', currentTitleText: 'a', targetTitle: 'other', targetTitleText: 'b' }, TODAY)).toEqual({});
    expect(residenceTrackErrors({ ...base, achievements: ['language', 'language'] }, TODAY)).toEqual({ achievements: expect.stringMatching(/einmal/) });
  });

  it('an outcome needs a target and its date, not in the future; date and note need an outcome', () => {
    expect(residenceTrackErrors({ ...base, outcome: 'reached', outcomeOn: TODAY }, TODAY)).toEqual({ targetTitle: expect.stringMatching(/Zieltitel voraus/) });
    expect(residenceTrackErrors({ ...base, targetTitle: 'p25b', outcome: 'not_reached' }, TODAY)).toEqual({ outcomeOn: expect.stringMatching(/Pflichtfeld/) });
    expect(residenceTrackErrors({ ...base, targetTitle: 'p25b', outcome: 'other', outcomeOn: '2025-03-04' }, TODAY)).toEqual({ outcomeOn: expect.stringMatching(/Zukunft/) });
    expect(residenceTrackErrors({ ...base, targetTitle: 'p25b', outcomeOn: '2025-03-01' }, TODAY)).toEqual({ outcome: expect.stringMatching(/Datum gehört/) });
    expect(residenceTrackErrors({ ...base, targetTitle: 'p25b', outcomeNote: 'x' }, TODAY)).toEqual({ outcome: expect.stringMatching(/Bemerkung gehört/) });
  });

  it('the first message of a field wins', () => {
    expect(residenceTrackErrors({ ...base, outcome: 'reached', outcomeOn: '2025-03-05' }, TODAY)).toEqual({
      targetTitle: expect.stringMatching(/Zieltitel voraus/),
      outcomeOn: expect.stringMatching(/Zukunft/),
    });
  });
});

describe('the track an entry gives', () => {
  it('keeps what was entered, absent parts absent, achievements in list order', () => {
    expect(residenceTrackOf({ ...base, achievements: ['no_criminal_record', 'language'] }, 'T', 'u')).toEqual({
      currentTitle: 'duldung',
      achievements: ['language', 'no_criminal_record'],
      setAt: 'T',
      setBy: 'u',
    });
    const full = residenceTrackOf(
      { currentTitle: 'other', currentTitleText: 'a', expiresOn: '2025-09-30', targetTitle: 'other', targetTitleText: 'b', outcome: 'other', outcomeOn: TODAY, outcomeNote: 'n' },
      'T',
      'u',
    );
    expect(full).toEqual({ currentTitle: 'other', currentTitleText: 'a', expiresOn: '2025-09-30', targetTitle: 'other', targetTitleText: 'b', achievements: [], outcome: 'other', outcomeOn: TODAY, outcomeNote: 'n', setAt: 'T', setBy: 'u' });
  });

  it('is summarised with codes and dates, never with the free texts', () => {
    const t = residenceTrackOf(
      { currentTitle: 'other', currentTitleText: 'GEHEIM', expiresOn: '2025-09-30', targetTitle: 'p25b', achievements: ['language'], outcome: 'reached', outcomeOn: TODAY, outcomeNote: 'GEHEIM' },
      'T',
      'u',
    );
    const s = residenceTrackSummary(t);
    expect(s).toBe('Aufenthaltsrechtliche Situation: Aktueller Titel: Sonstiger Titel bis 30.09.2025; Ziel: § 25b AufenthG – nachhaltige Integration; Integrationsleistungen: Sprache (Sprachnachweis); Ergebnis: Zieltitel erreicht am 03.03.2025');
    expect(residenceTrackSummary(residenceTrackOf(base, 'T', 'u'))).toBe('Aufenthaltsrechtliche Situation: Aktueller Titel: Duldung');
    expect(titleLabel('other', 'X')).toBe('Sonstiger Titel: X');
    expect(titleLabel('other')).toBe('Sonstiger Titel');
    expect(titleLabel('p60d', 'X')).toBe('§ 60d AufenthG – Beschäftigungsduldung');
  });
});

describe('the expiry deadline', () => {
  it('reminds lead days ahead at the end of that day in Germany and escalates at the end of the expiry day', () => {
    expect(expiryDeadlineTimes('2025-09-30', 56, TODAY)).toEqual({ remindOn: '2025-08-05', dueAt: endOfDayBerlin('2025-08-05'), escalateAt: endOfDayBerlin('2025-09-30') });
    // summer time: the end of the day in Germany is 21:59:59.999 UTC
    expect(expiryDeadlineTimes('2025-09-30', 56, TODAY).dueAt).toBe('2025-08-05T21:59:59.999Z');
    expect(expiryDeadlineTimes('2025-03-31', 28, TODAY).remindOn).toBe('2025-03-03');
  });

  it('inside the lead time the reminder comes today; on the expiry day itself, on that day', () => {
    expect(expiryDeadlineTimes('2025-03-20', 56, TODAY).remindOn).toBe(TODAY);
    expect(expiryDeadlineTimes(TODAY, 56, TODAY).remindOn).toBe(TODAY);
    expect(expiryDeadlineTimes('2025-03-04', 1, TODAY).remindOn).toBe(TODAY);
  });

  it('is armed, moved, kept, met or cancelled as the entry says', () => {
    const times = (e: string) => expiryDeadlineTimes(e, 56, TODAY);
    expect(planExpiryDeadline(null, { expiresOn: '2025-09-30' }, 56, TODAY)).toEqual({ do: 'arm', times: times('2025-09-30') });
    expect(planExpiryDeadline(null, { expiresOn: TODAY }, 56, TODAY)).toEqual({ do: 'arm', times: times(TODAY) });
    expect(planExpiryDeadline(null, {}, 56, TODAY)).toEqual({ do: 'none' });
    expect(planExpiryDeadline(null, { expiresOn: '2025-03-02' }, 56, TODAY)).toEqual({ do: 'none' });
    expect(planExpiryDeadline(null, { expiresOn: '2025-09-30', outcome: 'reached' }, 56, TODAY)).toEqual({ do: 'none' });
    const pending = { expiresOn: '2025-09-30' };
    expect(planExpiryDeadline(pending, { expiresOn: '2025-09-30' }, 56, TODAY)).toEqual({ do: 'none' });
    expect(planExpiryDeadline(pending, { expiresOn: '2026-03-31' }, 56, TODAY)).toEqual({ do: 'move', times: times('2026-03-31') });
    expect(planExpiryDeadline(pending, {}, 56, TODAY)).toEqual({ do: 'cancel' });
    expect(planExpiryDeadline(pending, { expiresOn: '2025-03-02' }, 56, TODAY)).toEqual({ do: 'cancel' });
    expect(planExpiryDeadline(pending, { expiresOn: '2025-09-30', outcome: 'reached' }, 56, TODAY)).toEqual({ do: 'meet' });
    expect(planExpiryDeadline(pending, { expiresOn: '2025-09-30', outcome: 'not_reached' }, 56, TODAY)).toEqual({ do: 'none' });
  });
});

describe('set-residence-track on a case (rules 9)', () => {
  const live = (d: CaseDriver) => d.c.deadlines.filter((x) => x.kind === 'residence_expiry').map((x) => ({ status: x.status, dueAt: x.dueAt, escalateAt: x.escalateAt }));

  it('keeps the track beside the handover facts, emits one event and arms the deadline by the configured lead time', () => {
    const settings = { ...defaultCaseSettings, deadlines: { ...defaultCaseSettings.deadlines, residenceExpiryLeadDays: 30 } };
    const d = new CaseDriver(settings);
    const events = d.do('set-residence-track', { currentTitle: 'p60d', expiresOn: '2025-09-30', targetTitle: 'p25b', achievements: ['language'] });
    expect(events.map((e) => e.type)).toEqual(['residence_track_set', 'deadline_set']);
    expect(events[0]!.data).toEqual({ currentTitle: 'p60d', expiresOn: '2025-09-30', targetTitle: 'p25b', achievements: ['language'] });
    expect(d.c.residenceLaw).toEqual({ permits: [], notes: '', recordedAt: d.now, track: expect.objectContaining({ currentTitle: 'p60d', setBy: cmDrk.id }) });
    expect(live(d)).toEqual([{ status: 'open', dueAt: endOfDayBerlin('2025-08-31'), escalateAt: endOfDayBerlin('2025-09-30') }]);

    d.advance(1).do('set-residence-track', { currentTitle: 'p60d', expiresOn: '2025-10-31', targetTitle: 'p25b' });
    expect(live(d)).toEqual([{ status: 'open', dueAt: endOfDayBerlin('2025-10-01'), escalateAt: endOfDayBerlin('2025-10-31') }]);
    d.advance(1).do('set-residence-track', { currentTitle: 'p60d', expiresOn: '2025-10-31', targetTitle: 'p25b', outcome: 'reached', outcomeOn: d.now.slice(0, 10) });
    expect(live(d).map((x) => x.status)).toEqual(['met']);
  });

  it('a later handover into the case brings its facts beside the track, which stays', () => {
    const d = new CaseDriver();
    d.do('set-residence-track', { currentTitle: 'duldung', targetTitle: 'p25b' });
    const residenceLaw = { permits: ['§25b'], notes: 'Pass beantragt' };
    d.do('transfer', { organisationId: 'kja', reason: 'Übergabe', continueFromHandover: { handoverId: 'ho-9', consentRecordedAt: d.now, residenceLaw } });
    expect(d.c.residenceLaw).toMatchObject({ permits: ['§25b'], notes: 'Pass beantragt', handoverId: 'ho-9', track: { currentTitle: 'duldung', targetTitle: 'p25b' } });
  });

  it('cancels the deadline when the date goes; the deadline keeps running while the case is paused', () => {
    const d = new CaseDriver();
    d.do('set-residence-track', { currentTitle: 'duldung', expiresOn: '2025-06-30' });
    d.do('put-on-hold', { reason: 'nicht erreichbar' });
    expect(live(d).map((x) => x.status)).toEqual(['open']);
    d.do('set-residence-track', { currentTitle: 'duldung' });
    expect(live(d).map((x) => x.status)).toEqual(['cancelled']);
  });

  it('refuses a bad entry with German field errors and leaves the case as it was', () => {
    const d = new CaseDriver();
    const r = d.try('set-residence-track', { currentTitle: 'niederlassungserlaubnis', expiresOn: '2030-01-01' });
    expect(r).toEqual({ ok: false, error: { code: 'validation_failed', message: expect.any(String), fields: { expiresOn: expect.stringMatching(/unbefristet/) } } });
    expect(d.try('set-residence-track', { currentTitle: 'permit' })).toMatchObject({ ok: false, error: { fields: { currentTitle: expect.any(String) } } });
  });

  it('a run on rules 8 knows nothing of it unless the workflow lifts the request', () => {
    const d = new CaseDriver();
    d.rules = 8;
    expect(d.try('set-residence-track', { currentTitle: 'duldung' })).toMatchObject({ ok: false, error: { fields: { currentTitle: expect.stringMatching(/noch nicht/) } } });
    expect(usesResidenceTrack('set-residence-track')).toBe(true);
    expect(usesResidenceTrack('record-contact')).toBe(false);
  });

  it('the API schema and the workflow twin agree', () => {
    for (const body of [
      { currentTitle: 'duldung', achievements: ['language', 'identity'] },
      { currentTitle: 'x' },
      { currentTitle: 'duldung', expiresOn: '2025-02-30' },
      { currentTitle: 'duldung', achievements: ['language', 'language', 'language', 'language', 'language', 'language'] },
      { currentTitle: 'other', currentTitleText: 'a'.repeat(201) },
    ]) {
      const zod = actionPayloadSchemas['set-residence-track'].safeParse(body).success;
      expect(checkActionPayload('set-residence-track', body).ok).toBe(zod);
    }
  });
});

describe('erasure and sharing of the track', () => {
  it('erasure keeps title codes, achievements and the outcome with its date; texts and the expiry date go', () => {
    const d = new CaseDriver();
    const [event] = d.do('set-residence-track', {
      currentTitle: 'other',
      currentTitleText: 'GEHEIM-1',
      expiresOn: '2025-09-30',
      targetTitle: 'other',
      targetTitleText: 'GEHEIM-2',
      achievements: ['language'],
      outcome: 'other',
      outcomeOn: '2025-03-03',
      outcomeNote: 'GEHEIM-3',
    });
    const erased = anonymiseEvent(event!);
    expect(erased).toEqual({
      summary: 'Aufenthaltsrechtliche Situation erfasst (Inhalt gelöscht)',
      data: { currentTitle: 'other', targetTitle: 'other', achievements: ['language'], outcome: 'other', outcomeOn: '2025-03-03' },
    });
  });

  it('a partner sees the track only under a consent with the category residence_law, never who set it', () => {
    const d = new CaseDriver();
    d.do('set-residence-track', { currentTitle: 'duldung', targetTitle: 'p25b' });
    const consent = (dataCategories: string[]) => ({
      id: 'k1', scope: 'share_with_partner' as const, decision: 'given' as const, partnerOrganisationId: 'abh', purpose: 'Aufenthalt', dataCategories, recordedBy: 'u', recordedAt: d.now,
    });
    const person = { givenName: 'A', familyName: 'B', birthDate: '1990-01-01', municipality: 'Kall', languages: [] };
    const view = (categories: string[], data = d.c) => partnerCaseView({ caseId: 'case-1', organisationId: 'drk', person, data, consents: [consent(categories)] }, 'abh');
    expect(view(['master_data'])).not.toHaveProperty('residenceTrack');
    expect(view(['residence_law'])!.residenceTrack).toEqual({ currentTitle: 'duldung', targetTitle: 'p25b', achievements: [], setAt: d.now });
    expect(view(['residence_law'])).not.toHaveProperty('person');
    expect(view(['residence_law'], new CaseDriver().c)!.residenceTrack).toBeNull();
  });
});

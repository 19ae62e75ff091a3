// Which handover events ask whom to act (one outbox row per event and recipient), and the daily digest's window in
// Europe/Berlin across the daylight-saving changes.
import { describe, expect, it } from 'vitest';
import {
  actOnNotificationId,
  berlinDayAndHour,
  berlinOffsetMinutes,
  digestWindow,
  dueDigestDay,
  handoverActOnMails,
  isActOnKind,
} from '../../domain/act-on-notifications.js';

const ev = (seq: number, type: string, data: Record<string, unknown> = {}) => ({ seq, type, data });

describe('handoverActOnMails', () => {
  it('proposal and consent go to the receiving organisation', () => {
    const out = handoverActOnMails([ev(1, 'handover_requested'), ev(2, 'deadline_set'), ev(3, 'handover_consent_given')], () => 'counsellor');
    expect(out).toEqual([
      { kind: 'handover_proposed', to: 'receiving_organisation', seq: 1 },
      { kind: 'handover_consent_given', to: 'receiving_organisation', seq: 3 },
    ]);
  });

  it('a scheduled meeting goes to the other side of whoever scheduled it, to both when coordination did', () => {
    const at = '2026-12-10T09:00:00.000Z';
    const meeting = [ev(5, 'handover_meeting_scheduled', { at })];
    expect(handoverActOnMails(meeting, () => 'counsellor')).toEqual([{ kind: 'handover_meeting_scheduled', to: 'receiving_organisation', seq: 5, dueAt: at }]);
    expect(handoverActOnMails(meeting, () => 'receiver')).toEqual([{ kind: 'handover_meeting_scheduled', to: 'counsellor', seq: 5, dueAt: at }]);
    expect(handoverActOnMails(meeting, () => 'other').map((d) => d.to)).toEqual(['receiving_organisation', 'counsellor']);
  });

  it('other events ask nobody; ids are per event and recipient', () => {
    expect(handoverActOnMails([ev(1, 'handover_meeting_held'), ev(2, 'handover_accepted'), ev(3, 'handover_cancelled')], () => 'other')).toEqual([]);
    expect(actOnNotificationId('handover:h1:4', 'counsellor')).toBe('act:handover:h1:4:counsellor');
    expect(actOnNotificationId('handover:h1:4', 'counsellor')).not.toBe(actOnNotificationId('handover:h1:4', 'receiving_organisation'));
    expect(isActOnKind('closure_requested')).toBe(true);
    expect(isActOnKind('reminder')).toBe(false);
  });
});

describe('digest window (Europe/Berlin)', () => {
  it('knows the Berlin offset in winter and summer', () => {
    expect(berlinOffsetMinutes(new Date('2026-01-15T12:00:00Z'))).toBe(60);
    expect(berlinOffsetMinutes(new Date('2026-07-15T12:00:00Z'))).toBe(120);
  });

  it('runs from 07:00 the day before to 07:00 on the day, also across the clock changes', () => {
    expect(digestWindow('2026-12-07', berlinOffsetMinutes)).toEqual({ from: new Date('2026-12-06T06:00:00Z'), to: new Date('2026-12-07T06:00:00Z') });
    expect(digestWindow('2026-07-07', berlinOffsetMinutes)).toEqual({ from: new Date('2026-07-06T05:00:00Z'), to: new Date('2026-07-07T05:00:00Z') });
    // Spring forward (29 March 2026): the window ending that morning is 23 hours; fall back (25 October 2026): 25 hours.
    expect(digestWindow('2026-03-29', berlinOffsetMinutes)).toEqual({ from: new Date('2026-03-28T06:00:00Z'), to: new Date('2026-03-29T05:00:00Z') });
    expect(digestWindow('2026-10-25', berlinOffsetMinutes)).toEqual({ from: new Date('2026-10-24T05:00:00Z'), to: new Date('2026-10-25T06:00:00Z') });
  });

  it('consecutive windows meet without gap or overlap', () => {
    let day = '2026-03-25';
    for (let i = 0; i < 220; i++) {
      const next = new Date(Date.parse(`${day}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      expect(digestWindow(day, berlinOffsetMinutes).to).toEqual(digestWindow(next, berlinOffsetMinutes).from);
      day = next;
    }
  });

  it('the digest due is today from 07:00 Berlin, else yesterday', () => {
    expect(dueDigestDay(new Date('2026-12-07T06:30:00Z'))).toBe('2026-12-07'); // 07:30 Berlin
    expect(dueDigestDay(new Date('2026-12-07T05:30:00Z'))).toBe('2026-12-06'); // 06:30 Berlin
    // 00:30 Berlin on the 7th: before 07:00, so the 6th's digest (sent late if it was not sent yet).
    expect(dueDigestDay(new Date('2026-12-06T23:30:00Z'))).toBe('2026-12-06');
    expect(berlinDayAndHour(new Date('2026-12-06T23:30:00Z'))).toEqual({ day: '2026-12-07', hour: 0 });
  });
});

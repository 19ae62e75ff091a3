// Mails for the events that ask someone to act ("Meine Aufgaben" by mail), decided from the recorded events alone:
// which event asks whom. The record activity (activities/handover-records.ts) writes one outbox row per decision,
// keyed by the event (`act:<event key>:<recipient>`), so a retried record adds no second row and no second mail.
// Not part of the workflow bundle (domain/index.ts does not export it): workflows never call it.
//
// Closure requests (→ coordination) and returns (→ the requesting case manager) come from the case workflow's own
// notifications (domain/case-closure.ts); they count as act-on mails too (ACT_ON_KINDS), e.g. for the daily digest.

/** Outbox kinds of act-on mails: a person with the daily digest gets these in one mail a day instead. */
export const ACT_ON_KINDS = ['handover_proposed', 'handover_consent_given', 'handover_meeting_scheduled', 'closure_requested', 'closure_returned'] as const;
export type ActOnKind = (typeof ACT_ON_KINDS)[number];

export const ACT_ON_LABELS: Record<ActOnKind, string> = {
  handover_proposed: 'Neue Übergabe aus der ABH vorgeschlagen',
  handover_consent_given: 'Einwilligung zur Übergabe erteilt – Übergabegespräch planen',
  handover_meeting_scheduled: 'Übergabegespräch geplant',
  closure_requested: 'Abschlussantrag wartet auf Freigabe',
  closure_returned: 'Abschlussantrag zurückgegeben',
};

export function isActOnKind(kind: string): kind is ActOnKind {
  return (ACT_ON_KINDS as readonly string[]).includes(kind);
}

/** Recipient roles of the outbox (Notification.recipientRole). */
export type ActOnRecipient = 'receiving_organisation' | 'counsellor' | 'coordination';

export interface ActOnDecision {
  kind: ActOnKind;
  to: ActOnRecipient;
  /** The event it answers (its seq); the outbox id is built from the event's key. */
  seq: number;
  /** The date the mail names (meeting time), if any. */
  dueAt?: string;
}

/** Who acted, as far as the decision needs it: the handover's counsellor, the receiving side, or someone else (coordination). */
export type HandoverActorSide = 'counsellor' | 'receiver' | 'other';

/**
 * Act-on mails of a batch of handover events:
 * - proposed → the receiving organisation's case managers (they learn a handover is coming; details after consent);
 * - consent given → the receiving organisation (they may now see the proposal and plan the meeting);
 * - meeting scheduled → the other side of whoever scheduled it (both when coordination scheduled it).
 */
export function handoverActOnMails(
  events: ReadonlyArray<{ seq: number; type: string; data: Record<string, unknown> }>,
  sideOf: (seq: number) => HandoverActorSide,
): ActOnDecision[] {
  const out: ActOnDecision[] = [];
  for (const e of events) {
    if (e.type === 'handover_requested') out.push({ kind: 'handover_proposed', to: 'receiving_organisation', seq: e.seq });
    if (e.type === 'handover_consent_given') out.push({ kind: 'handover_consent_given', to: 'receiving_organisation', seq: e.seq });
    if (e.type === 'handover_meeting_scheduled') {
      const at = typeof e.data.at === 'string' ? e.data.at : undefined;
      const side = sideOf(e.seq);
      const targets: ActOnRecipient[] = side === 'counsellor' ? ['receiving_organisation'] : side === 'receiver' ? ['counsellor'] : ['receiving_organisation', 'counsellor'];
      for (const to of targets) out.push({ kind: 'handover_meeting_scheduled', to, seq: e.seq, ...(at ? { dueAt: at } : {}) });
    }
  }
  return out;
}

/** The outbox id of an act-on mail: one per event and recipient, whoever writes it and however often. */
export function actOnNotificationId(eventKey: string, to: ActOnRecipient): string {
  return `act:${eventKey}:${to}`;
}

/**
 * The window of the daily digest sent on `day` (a Berlin calendar date, YYYY-MM-DD): from 07:00 Berlin the day before
 * to 07:00 Berlin on `day`, so every act-on item falls into exactly one digest. Returned as UTC instants.
 */
export const DIGEST_HOUR = 7;

export function digestWindow(day: string, offsetMinutesOf: (utcGuess: Date) => number): { from: Date; to: Date } {
  const at = (date: string) => {
    // 07:00 local = 07:00 UTC minus the zone's offset at that moment (probing at the UTC guess is exact outside the
    // night hours in which the clocks change).
    const guess = new Date(`${date}T${String(DIGEST_HOUR).padStart(2, '0')}:00:00Z`);
    return new Date(guess.getTime() - offsetMinutesOf(guess) * 60_000);
  };
  const previous = new Date(Date.parse(`${day}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return { from: at(previous), to: at(day) };
}

/** The Berlin offset from UTC in minutes at an instant (+60 in winter, +120 in summer). */
export function berlinOffsetMinutes(at: Date): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  // setUTCFullYear, not Date.UTC: the latter reads years 0–99 as 1900–1999.
  const localDate = new Date(0);
  localDate.setUTCFullYear(get('year'), get('month') - 1, get('day'));
  localDate.setUTCHours(get('hour'), get('minute'), 0, 0);
  const local = localDate.getTime();
  return Math.round((local - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

/** The Berlin calendar date of an instant (YYYY-MM-DD) and its local hour. */
export function berlinDayAndHour(at: Date): { day: string; hour: number } {
  const local = new Date(at.getTime() + berlinOffsetMinutes(at) * 60_000);
  return { day: local.toISOString().slice(0, 10), hour: local.getUTCHours() };
}

/** The digest day due at `now`: today once 07:00 Berlin has passed, else yesterday's (sent late, e.g. after an outage). */
export function dueDigestDay(now: Date): string {
  const { day, hour } = berlinDayAndHour(now);
  return hour >= DIGEST_HOUR ? day : new Date(Date.parse(`${day}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

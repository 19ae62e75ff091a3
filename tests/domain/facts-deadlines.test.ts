// Work deadlines folded into a case's facts (domain/controlling/facts-deadlines.ts), event by event: which figure each
// event counts, the pending tuple [id, kind, status, status before suspension, missed flag, overdue since], and the
// overdue stretches as the local midnights they cover. The random walks of case-facts.test.ts compare whole reports;
// these pin the bookkeeping itself.
import { describe, expect, it } from 'vitest';
import { dayNumber } from '../../domain/controlling/calendar.js';
import { foldDeadline } from '../../domain/controlling/facts-deadlines.js';
import { emptyCaseFacts, figureCode, type CaseFactsWork } from '../../domain/controlling/facts-model.js';

const TZ = 'Europe/Berlin';
const KIND = 2; // goal_agreement in CONTROLLED_DEADLINE_KINDS
const [MET_ON_TIME, MET_LATE, MISSED, ESCALATED] = [0, 1, 2, 3];
const code = (figure: number) => figureCode(KIND, figure);
/** 10:00 Berlin (winter) on a day of March 2025. */
const t = (day: number) => Date.parse(`2025-03-${String(day).padStart(2, '0')}T09:00:00Z`);
const D = (day: number) => dayNumber(`2025-03-${String(day).padStart(2, '0')}`);

function facts(): CaseFactsWork {
  return { ...emptyCaseFacts(), days: new Map() } as unknown as CaseFactsWork;
}
let seq = 0;
function fold(f: CaseFactsWork, type: string, day: number, data: Record<string, unknown> = {}, id = 'dl-1'): void {
  foldDeadline(f, { type, at: t(day), seq: ++seq, data: { deadlineId: id, ...data } }, TZ);
}
const set = (f: CaseFactsWork, day: number, id = 'dl-1') => fold(f, 'deadline_set', day, { kind: 'goal_agreement' }, id);

describe('deadline figures', () => {
  it('met on time: one figure, nothing pending, no overdue stretch', () => {
    const f = facts();
    set(f, 3);
    expect(f.pending).toEqual([['dl-1', KIND, 0, 0, 0, -1]]);
    fold(f, 'deadline_met', 5, { late: false });
    expect(f.recent).toEqual([[t(5), code(MET_ON_TIME)]]);
    expect(f.pending).toEqual([]);
    expect(f.overdue).toEqual([]);
  });

  it('missed, then met late: both counted; overdue at the midnights after the miss up to the meeting day', () => {
    const f = facts();
    set(f, 3);
    fold(f, 'deadline_missed', 5);
    expect(f.pending).toEqual([['dl-1', KIND, 1, 0, 1, t(5)]]);
    fold(f, 'deadline_met', 8, { late: true });
    expect(f.recent).toEqual([
      [t(5), code(MISSED)],
      [t(8), code(MET_LATE)],
    ]);
    expect(f.overdue).toEqual([[KIND, D(6), D(8), 1]]);
  });

  it('an escalation without a reminder counts the miss too; a later miss is not counted again', () => {
    const f = facts();
    set(f, 3);
    fold(f, 'escalation_sent', 5);
    fold(f, 'deadline_missed', 6);
    expect(f.recent).toEqual([
      [t(5), code(MISSED)],
      [t(5), code(ESCALATED)],
    ]);
  });

  it('a stretch within one day covers no midnight; one over a single midnight covers that day', () => {
    const f = facts();
    set(f, 3);
    fold(f, 'deadline_missed', 5);
    fold(f, 'deadline_cancelled', 5);
    expect(f.overdue).toEqual([]);
    set(f, 6, 'dl-2');
    fold(f, 'deadline_missed', 6, {}, 'dl-2');
    fold(f, 'deadline_cancelled', 7, {}, 'dl-2');
    expect(f.overdue).toEqual([[KIND, D(7), D(7), 1]]);
    expect(f.recent.filter(([, c]) => c === code(MET_ON_TIME) || c === code(MET_LATE))).toEqual([]);
  });

  it('two deadlines of a kind overdue over the same days are one stretch counted twice; other days a stretch of their own', () => {
    const f = facts();
    set(f, 3, 'a');
    set(f, 3, 'b');
    set(f, 3, 'c');
    for (const id of ['a', 'b']) fold(f, 'deadline_missed', 4, {}, id);
    fold(f, 'deadline_missed', 5, {}, 'c');
    for (const id of ['a', 'b', 'c']) fold(f, 'deadline_met', 9, { late: true }, id);
    expect(f.overdue).toEqual([
      [KIND, D(5), D(9), 2],
      [KIND, D(6), D(9), 1],
    ]);
  });
});

describe('pauses, moves and re-sets', () => {
  it('an overdue deadline paused and resumed: the stretch ends at the pause and starts again at the resumption', () => {
    const f = facts();
    set(f, 2);
    fold(f, 'deadline_missed', 3);
    fold(f, 'deadline_suspended', 5);
    expect(f.pending).toEqual([['dl-1', KIND, 2, 1, 1, -1]]);
    expect(f.overdue).toEqual([[KIND, D(4), D(5), 1]]);
    fold(f, 'deadline_rearmed', 10);
    expect(f.pending).toEqual([['dl-1', KIND, 1, 1, 1, t(10)]]);
    fold(f, 'deadline_met', 12, { late: true });
    expect(f.overdue).toEqual([
      [KIND, D(4), D(5), 1],
      [KIND, D(11), D(12), 1],
    ]);
  });

  it('an open deadline paused and resumed stays open; a rearm of one not paused changes nothing', () => {
    const f = facts();
    set(f, 2);
    fold(f, 'deadline_rearmed', 3);
    expect(f.pending).toEqual([['dl-1', KIND, 0, 0, 0, -1]]);
    fold(f, 'deadline_suspended', 4);
    expect(f.pending).toEqual([['dl-1', KIND, 2, 0, 0, -1]]);
    fold(f, 'deadline_rearmed', 6);
    expect(f.pending).toEqual([['dl-1', KIND, 0, 0, 0, -1]]);
  });

  it('moved while paused: open again once resumed; moved while overdue: open, the stretch closed, a new miss counted', () => {
    const f = facts();
    set(f, 2);
    fold(f, 'deadline_missed', 3);
    fold(f, 'deadline_suspended', 4);
    fold(f, 'deadline_moved', 5);
    expect(f.pending).toEqual([['dl-1', KIND, 2, 0, 0, -1]]);
    fold(f, 'deadline_rearmed', 6);
    expect(f.pending).toEqual([['dl-1', KIND, 0, 0, 0, -1]]);
    fold(f, 'deadline_missed', 7);
    fold(f, 'deadline_moved', 9);
    expect(f.pending).toEqual([['dl-1', KIND, 0, 0, 0, -1]]);
    expect(f.overdue).toEqual([
      [KIND, D(4), D(4), 1],
      [KIND, D(8), D(9), 1],
    ]);
    fold(f, 'deadline_missed', 10);
    expect(f.recent.filter(([, c]) => c === code(MISSED)).map(([at]) => at)).toEqual([t(3), t(7), t(10)]);
  });

  it('set again under its id: the old overdue stretch ends, the deadline starts fresh', () => {
    const f = facts();
    set(f, 2);
    fold(f, 'deadline_missed', 3);
    set(f, 6);
    expect(f.pending).toEqual([['dl-1', KIND, 0, 0, 0, -1]]);
    expect(f.overdue).toEqual([[KIND, D(4), D(6), 1]]);
  });
});

describe('what is not a work deadline event', () => {
  it('kinds outside the controlling, events without a deadline id, and other event types with one are ignored', () => {
    const f = facts();
    fold(f, 'deadline_set', 2, { kind: 'retention' }, 'r');
    fold(f, 'deadline_set', 2, { kind: undefined }, 'x');
    expect(f.pending).toEqual([]);
    set(f, 2);
    foldDeadline(f, { type: 'deadline_missed', at: t(3), seq: ++seq, data: {} }, TZ);
    fold(f, 'reminder_sent', 3);
    fold(f, 'goal_updated', 3);
    expect(f.pending).toEqual([['dl-1', KIND, 0, 0, 0, -1]]);
    expect(f.recent).toEqual([]);
    fold(f, 'deadline_missed', 4, {}, 'unknown');
    expect(f.recent).toEqual([]);
  });
});

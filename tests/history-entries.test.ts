// The history's reading aids (api/operations/history-entries.ts): which entries are deadline bookkeeping (hidden by
// "nur fachliche Einträge") and the goal a goal deadline belongs to.
import { describe, expect, it } from 'vitest';
import { goalTitles, isDeadlineBookkeeping, summaryWithGoal } from '../api/operations/history-entries.js';

describe('history entries', () => {
  it('tells deadline bookkeeping from professional steps', () => {
    for (const t of ['deadline_set', 'deadline_met', 'deadline_moved', 'deadline_missed', 'reminder_sent', 'escalation_sent']) expect(isDeadlineBookkeeping(t)).toBe(true);
    for (const t of ['case_opened', 'consent_recorded', 'goals_agreed', 'referral_sent', 'contact_recorded', 'closure_requested']) expect(isDeadlineBookkeeping(t)).toBe(false);
  });

  it('names the goal of a goal deadline, and only of those', () => {
    const events = [
      { type: 'goals_agreed', summary: '2 Ziel(e) vereinbart', data: { goals: [{ id: 'g1', title: 'Sprachkurs B1' }, { id: 'g2', title: 'Wohnung' }] } },
      { type: 'deadline_set', summary: 'Frist gesetzt: Zieltermin (fällig 31.01.2027)', data: { kind: 'goal_due', refId: 'g2' } },
      { type: 'deadline_set', summary: 'Frist gesetzt: Nachfrage zur Vermittlung (fällig 16.12.2026)', data: { kind: 'referral_follow_up', refId: 'r1' } },
      { type: 'deadline_met', summary: 'Frist erledigt: Zieltermin', data: { kind: 'goal_due', refId: 'unknown' } },
    ];
    const titles = goalTitles(events);
    expect(summaryWithGoal(events[1]!, titles)).toBe('Frist gesetzt: Zieltermin (fällig 31.01.2027) – Ziel „Wohnung“');
    expect(summaryWithGoal(events[2]!, titles)).toBe(events[2]!.summary);
    expect(summaryWithGoal(events[3]!, titles)).toBe(events[3]!.summary);
  });
});

// What a case workflow keeps between decisions: everything it needs to decide and to arm timers, nothing that only
// grows with the case's age. Contacts are kept as counts (each contact lives on in its `contact_recorded` event, note
// included; `contacts.items` holds only contacts recorded before that, kept so their notes are not lost) and
// met/cancelled deadlines are dropped (they live on in CaseDeadline and the events). So the workflow state, the
// update results and the snapshots stay near constant in size however long a case runs.
import type { CaseData } from './case-model.js';
import { isPending, type Deadline } from './deadlines.js';

/** The case without its resolved deadlines. Pure; returns a new object. */
export function compactCase(c: CaseData): CaseData {
  return { ...c, deadlines: c.deadlines.filter(isPending) };
}

/** Deadlines of `next` that are new or differ from `previous` (by id): what a record must write. */
export function changedDeadlines(previous: readonly Deadline[], next: readonly Deadline[]): Deadline[] {
  const before = new Map(previous.map((d) => [d.id, JSON.stringify(d)]));
  return next.filter((d) => before.get(d.id) !== JSON.stringify(d));
}

/** Consents of `next` that are new or differ from `previous` (by id). */
export function changedConsents(previous: CaseData['consents'], next: CaseData['consents']): CaseData['consents'] {
  const before = new Map(previous.map((c) => [c.id, JSON.stringify(c)]));
  return next.filter((c) => before.get(c.id) !== JSON.stringify(c));
}

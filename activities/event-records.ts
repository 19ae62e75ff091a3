// The append-only event logs (CaseEvent, HandoverEvent) are written alike: one row per event numbered by its
// workflow (seq), with a unique key from owner and seq, so a retried record activity adds nothing twice.
import type { DomainEvent } from '../domain/index.js';

/** A domain event numbered by its workflow. */
export type NumberedEvent = DomainEvent & { seq: number };

/** The highest number in a batch (0 for none): the read model moves forward only to it. */
export function lastSeqOf(events: NumberedEvent[]): number {
  return events.reduce((max, e) => Math.max(max, e.seq), 0);
}

/**
 * Rows for an event log: `owner` names the case or handover (`{ caseId }`, `{ handoverId }`), `keyOf` gives each
 * event's unique key. Written with `createMany({ data, skipDuplicates: true })`.
 */
export function eventRows<Owner extends Record<string, string>>(owner: Owner, events: NumberedEvent[], keyOf: (seq: number) => string) {
  return events.map((e) => ({
    ...owner,
    seq: e.seq,
    eventKey: keyOf(e.seq),
    type: e.type,
    at: new Date(e.at),
    actorId: e.actorId ?? null,
    summary: e.summary,
    data: e.data as object,
  }));
}

// The contract's shapes of a case (GET /api/v1/cases/:id, list items): from the read-model row and, while the engine
// holds the case, the workflow's view of it.
import { calendarDateOf, consentCategories, type CaseData, type Consent } from '../../domain/index.js';
import type { CaseRow } from './case-lookup.js';

/** The contract's case shape. `view` is the workflow's state as recorded with its last action (case-lookup.ts
 *  readCaseView); null when there is none to read (erased, or a case whose workflow never recorded one). */
export function toCaseResponse(row: CaseRow, view: CaseData | null) {
  const p = row.person;
  const person = {
    id: p.id,
    givenName: p.givenName,
    familyName: p.familyName,
    birthDate: p.birthDate.toISOString().slice(0, 10),
    municipality: p.municipality,
    languages: p.languages,
  };
  if (!view) {
    return {
      id: row.id,
      state: row.state,
      onHold: row.onHold,
      organisationId: row.organisationId,
      assignee: row.assigneeId,
      proposedProvider: { organisationId: row.proposedOrganisationId, reason: row.proposalReason },
      person,
      source: row.source,
      deadlines: row.nextDeadlineAt ? [{ kind: row.nextDeadlineKind, ...dueOf(row.nextDeadlineAt.toISOString()), status: 'open' }] : [],
      openedAt: row.openedAt.toISOString(),
      closedAt: row.closedAt?.toISOString() ?? null,
      // Where the state came from: the read model, because the engine has no workflow for it (yet or any more), or
      // the case's personal data is erased (erasedAt).
      stateSource: 'read_model' as const,
      erasedAt: row.erasedAt?.toISOString() ?? null,
    };
  }
  return {
    id: row.id,
    state: view.state,
    onHold: view.onHold,
    hold: view.hold ?? null,
    organisationId: view.organisationId,
    assignee: view.assigneeId ?? null,
    proposedProvider: view.proposedProvider,
    providerConfirmed: view.providerConfirmed,
    person,
    source: row.source,
    consents: view.consents.map(withEffectiveCategories),
    assessment: view.assessment ?? null,
    goals: view.goals,
    referrals: view.referrals,
    contacts: { count: view.contacts.count, byKind: view.contacts.byKind, lastContactAt: view.contacts.lastContactAt ?? null },
    reviews: view.reviews,
    closureRequest: view.closureRequest ?? null,
    // The last request coordination returned, with its reason (until a new request is filed).
    closureReturn: view.closureReturn ?? null,
    // The handover that opened the case and the residence-law facts it brought (part of the case, erased with it).
    handoverId: view.handoverId ?? null,
    residenceLaw: view.residenceLaw ?? null,
    deadlines: view.deadlines
      .filter((d) => d.status !== 'cancelled')
      .map((d) => ({ id: d.id, kind: d.kind, ...dueOf(d.dueAt), escalateAt: d.escalateAt ?? null, status: d.status, refId: d.refId ?? null })),
    openedAt: view.openedAt,
    closedAt: view.closure?.closedAt ?? null,
    closure: view.closure ?? null,
    stateSource: 'workflow' as const,
  };
}

/** A due time and the calendar date it stands for in Germany (what people entered and see; domain/dates.ts). */
export const dueOf = (dueAt: string) => ({ dueAt, dueDate: calendarDateOf(dueAt) });

/** Sharing consents show the categories they cover in effect (the default set when none were named). */
function withEffectiveCategories(consent: Consent): Consent {
  return consent.scope === 'share_with_partner' ? { ...consent, dataCategories: consentCategories(consent) } : consent;
}

export function listItem(row: CaseRow) {
  return {
    id: row.id,
    state: row.state,
    onHold: row.onHold,
    organisationId: row.organisationId,
    assignee: row.assigneeId,
    municipality: row.municipality,
    person: { givenName: row.person.givenName, familyName: row.person.familyName },
    nextDeadline: row.nextDeadlineAt ? { kind: row.nextDeadlineKind, ...dueOf(row.nextDeadlineAt.toISOString()) } : null,
    overdue: Boolean(row.nextDeadlineAt && row.nextDeadlineAt < new Date() && !row.closedAt),
    openedAt: row.openedAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
  };
}

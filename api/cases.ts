// Cases: open a case (rows + workflow) and read it (case state from the workflow, person from the database).
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { parseCreateCase, proposeProvider, type CaseData } from '../domain/index.js';
import { ApiError } from './errors.js';
import type { Database } from '../platform/database.js';
import { loadCaseSettings } from '../platform/settings.js';
import { caseViewQuery, caseWorkflowId } from '../workflows/definitions.js';
import type { CaseWorkflowInput } from '../workflows/case-state.js';
import { caseMunicipalityKey, caseOrganisationKey, caseStateKey } from '../workflows/search-attributes.js';

export interface CasesDependencies {
  db: Database;
  temporal: Client;
  taskQueue: string;
}

type CaseRow = NonNullable<Awaited<ReturnType<typeof loadCaseRow>>>;

function loadCaseRow(db: Database, id: string) {
  return db.case.findUnique({ where: { id }, include: { person: true } });
}

/** The contract's case shape. `view` is the workflow's state; null once the engine no longer holds the case. */
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
      deadlines: row.nextDeadlineAt ? [{ kind: row.nextDeadlineKind, dueAt: row.nextDeadlineAt.toISOString(), status: 'open' }] : [],
      openedAt: row.openedAt.toISOString(),
      closedAt: row.closedAt?.toISOString() ?? null,
      // Where the state came from: the read model, because the engine has no workflow for it (yet or any more).
      stateSource: 'read_model' as const,
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
    consents: view.consents,
    assessment: view.assessment ?? null,
    goals: view.goals,
    referrals: view.referrals,
    contacts: { count: view.contacts.count, byKind: view.contacts.byKind, lastContactAt: view.contacts.lastContactAt ?? null },
    reviews: view.reviews,
    closureRequest: view.closureRequest ?? null,
    deadlines: view.deadlines
      .filter((d) => d.status !== 'cancelled')
      .map((d) => ({ id: d.id, kind: d.kind, dueAt: d.dueAt, escalateAt: d.escalateAt ?? null, status: d.status, refId: d.refId ?? null })),
    openedAt: view.openedAt,
    closedAt: view.closure?.closedAt ?? null,
    closure: view.closure ?? null,
    stateSource: 'workflow' as const,
  };
}

export function casesRouter({ db, temporal, taskQueue }: CasesDependencies): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const openedAt = new Date().toISOString();
    const parsed = parseCreateCase(req.body ?? {}, openedAt);
    if (!parsed.ok) {
      throw new ApiError(422, 'validation_failed', 'Die Angaben sind unvollständig oder ungültig.', { fields: parsed.fields });
    }
    const body = parsed.payload;
    const proposal = proposeProvider({ municipality: body.person.municipality, birthDate: body.person.birthDate, on: openedAt });
    if (!proposal.ok) {
      const field = proposal.error.code === 'unknown_municipality' ? 'person.municipality' : 'person.birthDate';
      throw new ApiError(422, 'validation_failed', proposal.error.message, { fields: { [field]: proposal.error.message } });
    }
    const settings = await loadCaseSettings(db);
    const caseId = randomUUID();
    const workflowId = caseWorkflowId(caseId);

    const person = await db.$transaction(async (tx) => {
      const created = await tx.person.create({
        data: {
          givenName: body.person.givenName,
          familyName: body.person.familyName,
          birthDate: new Date(`${body.person.birthDate}T00:00:00Z`),
          municipality: proposal.municipality,
          languages: body.person.languages ?? [],
        },
      });
      await tx.case.create({
        data: {
          id: caseId,
          workflowId,
          personId: created.id,
          state: 'intake',
          organisationId: proposal.organisationId,
          proposedOrganisationId: proposal.organisationId,
          proposalReason: proposal.reason,
          municipality: proposal.municipality,
          source: body.source,
          note: body.note ?? null,
          openedAt: new Date(openedAt),
        },
      });
      return created;
    });

    const input: CaseWorkflowInput = {
      settings,
      open: {
        caseId,
        openedAt,
        // Until sign-in exists (issue 4) the API opens cases as the system.
        openedBy: 'system',
        organisationId: proposal.organisationId,
        proposedProvider: { organisationId: proposal.organisationId, reason: proposal.reason },
        municipality: proposal.municipality,
        source: body.source,
      },
    };
    try {
      // Bounded: a caller should hear within seconds that the engine is away, not after the client's long retry.
      await temporal.connection.withDeadline(Date.now() + 5000, () => temporal.workflow.start('caseWorkflow', {
        workflowId,
        taskQueue,
        args: [input],
        typedSearchAttributes: [
          { key: caseStateKey, value: 'intake' },
          { key: caseOrganisationKey, value: proposal.organisationId },
          { key: caseMunicipalityKey, value: proposal.municipality },
        ],
      }));
    } catch (error) {
      // The start may have reached the server before the deadline ran out: then the case exists after all.
      const started = await temporal.connection
        .withDeadline(Date.now() + 2000, () => temporal.workflow.getHandle(workflowId).describe())
        .then(() => true, () => false);
      if (started) {
        const row = await loadCaseRow(db, caseId);
        if (row) {
          res.status(201).location(`/api/v1/cases/${caseId}`).json(toCaseResponse(row, null));
          return;
        }
      }
      // No workflow, no case: remove the rows so nothing half-written remains.
      await db.$transaction([db.case.delete({ where: { id: caseId } }), db.person.delete({ where: { id: person.id } })]);
      console.error('[api] could not start case workflow', error);
      throw new ApiError(503, 'temporal_unavailable', 'Der Fall konnte nicht angelegt werden: Die Prozess-Engine ist nicht erreichbar.');
    }

    const row = await loadCaseRow(db, caseId);
    if (!row) throw new ApiError(500, 'internal_error', 'Fall nach dem Anlegen nicht gefunden.');
    res.status(201).location(`/api/v1/cases/${caseId}`).json({
      ...toCaseResponse(row, null),
      proposedProvider: { organisationId: proposal.organisationId, reason: proposal.reason, alternatives: proposal.alternatives },
    });
  });

  router.get('/:id', async (req, res) => {
    const row = await loadCaseRow(db, req.params.id);
    if (!row) throw new ApiError(404, 'not_found', 'Fall nicht gefunden.');
    let view: CaseData | null = null;
    try {
      view = await temporal.workflow.getHandle(row.workflowId).query(caseViewQuery);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    res.json(toCaseResponse(row, view));
  });

  return router;
}

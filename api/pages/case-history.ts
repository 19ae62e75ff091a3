// Fallverlauf (Fallrekonstruktion): the whole history of a case, a "Stand am" view of a past day, the engine
// cross-check for coordination, printable.
import { Router } from 'express';
import {
  CASE_STATE_LABELS,
  DEADLINE_LABELS,
  type CaseData,
  type CaseState,
} from '../../domain/index.js';
import { callerOf } from '../http/caller.js';
import { canReadEngineHistory } from '../operations/access-policy.js';
import type { OperationDeps } from '../operations/caller.js';
import { checkCaseHistory } from '../operations/case-history-check.js';
import { parseAsOf, readCaseHistory } from '../operations/cases.js';
import { organisationNames } from '../operations/directory.js';
import { isDeadlineBookkeeping } from '../operations/history-entries.js';
import { CONSENT_DECISION_LABELS, CONSENT_SCOPE_LABELS, DEADLINE_STATUS_LABELS, GOAL_STATUS_LABELS, formatDate, formatDateTime } from './labels.js';
import { layout, orRefusalPage, requirePageUser, send } from './kit.js';
import { renderPage } from './views.js';

type Snapshot = Pick<CaseData, 'state' | 'onHold' | 'organisationId' | 'goals' | 'consents'> & {
  openDeadlines: CaseData['deadlines'];
  contacts: { count: number };
};

/** The case as it stood at the end of the chosen day. */
function snapshotModel(snap: Snapshot, orgName: (id: string) => string) {
  return {
    state: CASE_STATE_LABELS[snap.state] ?? snap.state,
    onHold: snap.onHold,
    organisation: orgName(snap.organisationId),
    deadlines: snap.openDeadlines.map((d) => ({
      label: DEADLINE_LABELS[d.kind] ?? d.kind,
      due: formatDate(d.dueAt),
      status: DEADLINE_STATUS_LABELS[d.status] ?? d.status,
    })),
    goals: snap.goals.map((g) => ({ title: g.title, status: GOAL_STATUS_LABELS[g.status] ?? g.status })),
    consents: snap.consents.map((c) => ({
      scope: CONSENT_SCOPE_LABELS[c.scope] ?? c.scope,
      decision: CONSENT_DECISION_LABELS[c.decision] ?? c.decision,
      withdrawn: Boolean(c.withdrawnAt),
    })),
    contacts: String(snap.contacts.count),
  };
}

/** The engine cross-check (coordination only): does the event store agree with the engine's history? */
function checkModel(check: NonNullable<Awaited<ReturnType<typeof checkCaseHistory>>>) {
  return {
    available: check.engine.available,
    agrees: check.agrees,
    runs: check.engine.runs,
    missingInDatabase: check.missingInDatabase,
    missingInEngine: check.missingInEngine,
    missingInDatabaseText: check.missingInDatabase.join(', '),
    missingInEngineText: check.missingInEngine.join(', '),
    typeMismatches: check.typeMismatches,
  };
}

export function caseHistoryPagesRouter(deps: OperationDeps & { temporalUiUrl?: string | undefined }): Router {
  const { db } = deps;
  const router = Router();

  router.get('/faelle/:id/verlauf', requirePageUser, async (req, res) => {
    const caller = callerOf(req, 'page');
    const user = caller.user;
    const stichtag = typeof req.query.stichtag === 'string' && req.query.stichtag ? req.query.stichtag : undefined;
    let asOf: Date | undefined;
    let stichtagError: string | undefined;
    try {
      asOf = parseAsOf(stichtag);
    } catch {
      stichtagError = 'Bitte einen gültigen Stichtag (TT.MM.JJJJ) wählen.';
    }
    const found = await orRefusalPage(req, res, readCaseHistory(deps, caller, req.params.id as string, asOf));
    if (!found) return;
    const { row, history } = found;
    const [orgs, check] = await Promise.all([
      organisationNames(db),
      // Only coordinators see the engine cross-check: it is for quality assurance, and costs a history read.
      canReadEngineHistory(user) ? checkCaseHistory(db, deps.temporal, row).catch(() => null) : Promise.resolve(null),
    ]);
    const snap = (history as { case?: Snapshot | null }).case;
    // "nur fachliche Einträge": the deadline bookkeeping left out (numbers stay, so gaps show that entries are hidden).
    const professionalOnly = req.query.nur === 'fachlich';
    const shown = professionalOnly ? history.events.filter((e) => !isDeadlineBookkeeping(e.type)) : history.events;
    send(
      res,
      200,
      renderPage('case-history', {
        ...layout(req, 'Fallverlauf', 'faelle'),
        caseId: row.id,
        personName: `${row.person.givenName} ${row.person.familyName}`,
        stateLabel: CASE_STATE_LABELS[row.state as CaseState] ?? row.state,
        opened: formatDate(row.openedAt),
        eventCount: history.events.length,
        professionalOnly,
        shownCount: shown.length,
        stichtag: stichtag ?? '',
        stichtagError,
        // A chosen day is shown as that day (its end in Germany is still that day; formatDate reads it so too).
        asOf: asOf ? { label: formatDate(stichtag && /^\d{4}-\d{2}-\d{2}$/.test(stichtag) ? stichtag : asOf), case: snap ? snapshotModel(snap, orgs.short) : null } : undefined,
        check: check ? checkModel(check) : undefined,
        temporalLink:
          canReadEngineHistory(user) && deps.temporalUiUrl
            ? `${deps.temporalUiUrl}/namespaces/default/workflows/${encodeURIComponent(row.workflowId)}`
            : undefined,
        events: shown.map((e) => ({
          seq: e.seq,
          at: formatDateTime(e.at),
          actor: e.actorName ?? (e.actor ? 'unbekannt' : 'System (Frist/Engine)'),
          summary: e.summary,
          kind: isDeadlineBookkeeping(e.type) ? 'deadline' : 'step',
        })),
      }),
    );
  });

  return router;
}

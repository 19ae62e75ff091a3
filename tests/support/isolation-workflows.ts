// Workflows of tests/workflow-bundle.test.ts only: the project's workflows plus a probe that tampers with the
// module-level data the case workflow decides with (the transition table, the role rules, a label, an organisation's
// name) and then stays open. A case workflow started afterwards in the same worker must decide as if nothing had
// happened: every workflow has its own instances of the domain modules — or, were modules ever preloaded and shared,
// they would have to be frozen, and the tampering would be refused.
import { condition, defineQuery, defineSignal, setHandler } from '@temporalio/workflow';
import { ACTION_ROLES, TRANSITIONS } from '../../domain/case-lifecycle.js';
import { CONTACT_KIND_LABELS } from '../../domain/case-model.js';
import { ORGANISATIONS } from '../../domain/organisations.js';

export * from '../../workflows/index.js';

export const tamperingOutcomeQuery = defineQuery<string[]>('tamperingOutcome');
export const releaseSignal = defineSignal('release');

export const TAMPERED = 'MANIPULIERT';

export async function tamperingWorkflow(): Promise<string[]> {
  const outcome: string[] = [];
  const attempt = (what: string, change: () => void) => {
    try {
      change();
      outcome.push(`${what}: changed`);
    } catch {
      outcome.push(`${what}: refused`);
    }
  };
  attempt('record-contact in no state', () => {
    TRANSITIONS['record-contact'] = { from: [], hold: 'either', to: TAMPERED };
  });
  attempt('assign by nobody', () => {
    ACTION_ROLES.assign = [];
  });
  attempt('contact label', () => {
    CONTACT_KIND_LABELS.phone = TAMPERED;
  });
  attempt('organisation name', () => {
    (ORGANISATIONS.find((o) => o.id === 'drk') as { shortName: string }).shortName = TAMPERED;
  });
  // What this workflow's own modules hold now: its changes, or the data as it was if they were refused.
  const seen = () => [...outcome, `record-contact allowed in ${TRANSITIONS['record-contact'].from.length} states`];
  let released = false;
  setHandler(tamperingOutcomeQuery, seen);
  setHandler(releaseSignal, () => {
    released = true;
  });
  await condition(() => released);
  return seen();
}

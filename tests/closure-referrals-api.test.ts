// Issue 12 part 4 on the real servers: closing keeps accepted referrals (their outcome can be recorded afterwards)
// and every summary in the history and the Art. 15 export is German.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, login, type SignedIn } from '../harness/auth.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let drk: SignedIn;
let coordinator: SignedIn;

const call = (who: SignedIn, method: string, path: string, body?: unknown) => apiCall(h.baseUrl, who, method, path, body);

async function act(who: SignedIn, caseId: string, action: string, body: unknown = {}) {
  const res = await call(who, 'POST', `/api/v1/cases/${caseId}/actions/${action}`, body);
  if (res.status !== 200) expect.fail(`${action}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.case;
}

beforeAll(async () => {
  h = await startHarness();
  drk = await login(h.baseUrl, 'cm.drk@kim.example');
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
});
afterAll(async () => {
  await h?.close();
});

describe('closure keeps accepted referrals; summaries are German', () => {
  it('stops only the waiting referral, records the accepted one afterwards, history and export in German', async () => {
    const created = await call(drk, 'POST', '/api/v1/cases', {
      person: { givenName: 'Amina', familyName: 'Haddad', birthDate: '1980-05-01', municipality: 'Zülpich', languages: ['ar'] },
      source: 'self',
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    await act(drk, id, 'record-consent', { scope: 'data_processing', decision: 'given' });
    await act(drk, id, 'start-assessment');
    await act(drk, id, 'complete-assessment', { lifeAreas: [{ area: 'work', situation: 'Abschluss nicht anerkannt', need: 'high' }] });
    const planned = await act(drk, id, 'agree-goals', { goals: [{ title: 'Anerkennung', measure: 'Antrag stellen', owner: 'Klientin', dueDate: '2027-06-30' }] });
    await act(drk, id, 'update-goal', { goalId: planned.goals[0].id, status: 'achieved' });
    await act(drk, id, 'refer', { service: 'Anerkennungsberatung' });
    const referred = await act(drk, id, 'refer', { service: 'Sprachkurs' });
    const [accepted, waiting] = referred.referrals.map((r: { id: string }) => r.id);
    await act(drk, id, 'record-referral-outcome', { referralId: accepted, outcome: 'accepted' });

    const closed = await act(coordinator, id, 'close', { reason: 'goals_achieved', goalAttainment: 'achieved' });
    expect(closed.state).toBe('closed');
    const status = (c: { referrals: Array<{ id: string; status: string }> }, rid: string) => c.referrals.find((r) => r.id === rid)?.status;
    expect(status(closed, accepted)).toBe('accepted');
    expect(status(closed, waiting)).toBe('stopped');

    const documented = await act(drk, id, 'record-referral-outcome', { referralId: accepted, outcome: 'completed' });
    expect(documented.state).toBe('closed');
    expect(status(documented, accepted)).toBe('completed');

    const history = await call(coordinator, 'GET', `/api/v1/cases/${id}/history`);
    expect(history.status).toBe(200);
    const summaries: string[] = history.body.events.map((e: { summary: string }) => e.summary);
    const stops = history.body.events.filter((e: { type: string }) => e.type === 'referral_stopped');
    expect(stops.map((e: { data: { referralId: string } }) => e.data.referralId)).toEqual([waiting]);
    expect(summaries).toContain('Ziel aktualisiert: Anerkennung (erreicht)');
    expect(summaries).toContain('Vermittlung Anerkennungsberatung: abgeschlossen (nach Abschluss nachgetragen)');
    const codes = /\b(achieved|not_achieved|partly|dropped|accepted|declined|completed|not_reached|data_processing|share_with_partner)\b/;
    expect(summaries.filter((s) => codes.test(s))).toEqual([]);

    const exported = await call(coordinator, 'GET', `/api/v1/cases/${id}/export`);
    expect(exported.status).toBe(200);
    const exportedSummaries: string[] = exported.body.history.map((e: { summary: string }) => e.summary);
    expect(exportedSummaries).toContain('Ziel aktualisiert: Anerkennung (erreicht)');
    expect(exportedSummaries.filter((s) => codes.test(s))).toEqual([]);
  });
});

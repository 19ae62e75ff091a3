// Handover deadlines on the time-skipping test server: weeks pass in seconds, with the real activities writing
// to a real database. Consent never given → the handover lapses at 14 days and the counsellor is notified;
// consent given but no meeting held → both sides are reminded at 21 days.
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../domain/index.js';
import { loadConfig } from '../platform/config.js';
import { DataKeyDestroyedError, DataKeyStore } from '../platform/data-keys.js';
import { loadPayloadKeys, PayloadEncryptionCodec } from '../platform/payload-codec.js';
import { handoverActionUpdate, handoverViewQuery } from '../workflows/handover-messages.js';
import { handoverRetentionWorkflowId } from '../workflows/retention-ids.js';
import { demoActor } from '../harness/cases.js';
import { demoPerson, proposeHandoverRows, startHandover } from '../harness/handovers.js';
import { decodedText, encodedPayloads } from './support/payloads.js';
import { resultOnceCompleted, startTimeSkippingStack, type TimeSkippingStack } from './support/time-skipping.js';

/** The deadline notifications of the workflow; act-on rows (`act:…`, tests/act-on-mails.test.ts) are the outbox dispatcher's. */
const DEADLINE_ROWS = { NOT: { id: { startsWith: 'act:' } } };

let stack: TimeSkippingStack;
let env: TimeSkippingStack['env'];
let db: TimeSkippingStack['db'];
let counsellor: Actor;

const TASK_QUEUE = 'handover-time-skipping';
const DAY = 24 * 3600 * 1000;

beforeAll(async () => {
  stack = await startTimeSkippingStack(TASK_QUEUE);
  ({ env, db } = stack);
  counsellor = await demoActor(db, 'abh@kim.example');
});

afterAll(async () => {
  await stack?.close();
});

async function propose() {
  const startedAt = await env.currentTimeMs();
  const open = await proposeHandoverRows(db, counsellor, { requestedAt: new Date(startedAt).toISOString() });
  const handle = await startHandover(env.client, TASK_QUEUE, open);
  return { startedAt, open, handle };
}

const daysSince = (start: number, at: Date) => Math.round((at.getTime() - start) / DAY);

describe('handover deadlines across weeks (time-skipping server)', () => {
  it('lapses 14 days after the request without consent and notifies the counsellor', async () => {
    const { startedAt, open, handle } = await propose();
    await env.sleep('13 days');
    expect((await handle.query(handoverViewQuery)).state).toBe('awaiting_consent');
    expect(await db.notification.count({ where: { handoverId: open.handoverId, ...DEADLINE_ROWS } })).toBe(0);

    await env.sleep('2 days');
    expect(await resultOnceCompleted(env, handle, { dataConverter: stack.encryption.dataConverter })).toEqual({ handoverId: open.handoverId, state: 'lapsed' });
    const events = await db.handoverEvent.findMany({ where: { handoverId: open.handoverId, ...DEADLINE_ROWS }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => [e.type, daysSince(startedAt, e.at)])).toEqual([
      ['handover_requested', 0],
      ['deadline_set', 0],
      ['deadline_missed', 14],
      ['handover_lapsed', 14],
    ]);
    const row = await db.handover.findUniqueOrThrow({ where: { id: open.handoverId } });
    expect(row).toMatchObject({ state: 'lapsed', caseId: null, lastEventSeq: 4 });
    expect(daysSince(startedAt, row.closedAt!)).toBe(14);

    const outbox = await db.notification.findMany({ where: { handoverId: open.handoverId, ...DEADLINE_ROWS } });
    expect(outbox.map((n) => [n.kind, n.deadlineKind, n.recipientRole, n.recipientUserId, n.recipientOrganisationId, n.status])).toEqual([
      ['lapsed', 'handover_consent', 'counsellor', counsellor.id, 'abh', 'pending'],
    ]);
    expect(outbox[0]!.subject).toContain('verfallen');
  });

  it('reminds counsellor and receiving organisation when no meeting is held within 21 days of consent', async () => {
    const { open, handle } = await propose();
    await env.sleep('2 days');
    const consented = await handle.executeUpdate(handoverActionUpdate, {
      args: [{ action: 'record-consent', payload: { decision: 'given' }, actor: counsellor }],
    });
    const consentAt = Date.parse(consented.consent!.recordedAt);
    await env.sleep('20 days');
    expect(await db.notification.count({ where: { handoverId: open.handoverId, ...DEADLINE_ROWS } })).toBe(0);

    await env.sleep('2 days');
    // Consent came in time: the handover did not lapse; it waits for the meeting, reminded once.
    const view = await handle.query(handoverViewQuery);
    expect(view.state).toBe('consent_given');
    expect(view.deadlines.map((d) => [d.kind, d.status])).toEqual([
      ['handover_consent', 'met'],
      ['handover_meeting', 'missed'],
    ]);
    const events = await db.handoverEvent.findMany({ where: { handoverId: open.handoverId, ...DEADLINE_ROWS }, orderBy: { seq: 'asc' } });
    const fired = events.filter((e) => ['deadline_missed', 'reminder_sent', 'handover_lapsed'].includes(e.type));
    expect(fired.map((e) => [e.type, (e.data as { kind: string }).kind, daysSince(consentAt, e.at)])).toEqual([
      ['deadline_missed', 'handover_meeting', 21],
      ['reminder_sent', 'handover_meeting', 21],
    ]);

    const outbox = await db.notification.findMany({ where: { handoverId: open.handoverId, ...DEADLINE_ROWS }, orderBy: { recipientRole: 'asc' } });
    expect(outbox.map((n) => [n.kind, n.deadlineKind, n.recipientRole, n.recipientUserId, n.recipientOrganisationId])).toEqual([
      ['reminder', 'handover_meeting', 'counsellor', counsellor.id, 'abh'],
      ['reminder', 'handover_meeting', 'receiving_organisation', null, 'drk'],
    ]);
    // The outbox carries no personal data.
    expect(JSON.stringify(outbox.map((n) => [n.subject, n.payload]))).not.toContain(demoPerson.familyName);
  });

  it('a handover refused without a case is erased after the retention period, its key destroyed', async () => {
    const { open, handle } = await propose();
    await handle.executeUpdate(handoverActionUpdate, { args: [{ action: 'record-consent', payload: { decision: 'refused' }, actor: counsellor }] });
    // Waiting with result() would let the test server run on to the next timer — the retention itself.
    expect(await resultOnceCompleted(env, handle, { dataConverter: stack.encryption.dataConverter })).toEqual({ handoverId: open.handoverId, state: 'refused' });
    // Not yet: 1,000 days after the refusal the proposal is still there.
    await env.sleep('1000 days');
    expect((await db.handover.findUniqueOrThrow({ where: { id: open.handoverId } })).proposal).toMatchObject({ residenceLaw: { permits: ['§25b'] } });
    const raw = new Client({ connection: env.connection });
    const payloads = encodedPayloads(await raw.workflow.getHandle(handle.workflowId).fetchHistory());
    const installation = loadPayloadKeys(loadConfig()).keys;
    const fresh = () => new PayloadEncryptionCodec(installation, new DataKeyStore(db, installation));
    expect(await decodedText(fresh(), payloads)).toContain(demoPerson.familyName);

    const retention = env.client.workflow.getHandle(handoverRetentionWorkflowId(open.handoverId));
    expect(await retention.result()).toEqual({ handoverId: open.handoverId, erased: true });

    const row = await db.handover.findUniqueOrThrow({ where: { id: open.handoverId }, include: { events: true } });
    expect(row.proposal).toEqual({});
    expect(row.state).toBe('refused');
    // The permit and the notes are gone ('25b' alone could be part of a random id in the events).
    expect(JSON.stringify(row.events)).not.toContain('§25b');
    expect(JSON.stringify(row.events)).not.toContain('Duldung seit 2019');
    expect(row.events.map((e) => e.type)).toContain('handover_consent_refused');
    expect(await db.dataKey.findUniqueOrThrow({ where: { subject: handle.workflowId } })).toMatchObject({ wrappedKey: null, destroyedReason: 'retention' });
    await expect(fresh().decode(payloads)).rejects.toBeInstanceOf(DataKeyDestroyedError);
  });
});

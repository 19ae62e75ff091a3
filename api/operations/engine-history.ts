// Decrypting engine histories for the Temporal web UI (its remote codec protocol, served at
// POST /api/v1/codec/decode): the UI shows encrypted payloads as ciphertext; pointed at the endpoint it shows them
// decrypted — to KIM coordination only, and every case (or handover) whose data is decrypted this way is written to
// the access log first (action `read_engine_history`). Payloads under a destroyed data key come back unchanged.
import type { Payload } from '@temporalio/common';
import { KEY_ID_METADATA } from '../../platform/payload-codec.js';
import { canReadEngineHistory } from './access-policy.js';
import { logAccess } from './access-log.js';
import type { Caller, OperationDeps } from './caller.js';
import { ApiError, isDatabaseUnavailable } from './errors.js';

/** A payload as the codec protocol carries it: metadata values and data base64-encoded. */
export interface WirePayload {
  metadata?: Record<string, string>;
  data?: string;
}

export const MAX_PAYLOADS = 1000;

function fromWire(p: WirePayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) metadata[k] = Buffer.from(String(v), 'base64');
  return { metadata, data: Buffer.from(p.data ?? '', 'base64') };
}

function toWire(p: Payload): WirePayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) metadata[k] = Buffer.from(v ?? []).toString('base64');
  return { metadata, data: Buffer.from(p.data ?? []).toString('base64') };
}

const keyIdOf = (p: Payload) => (p.metadata?.[KEY_ID_METADATA] ? Buffer.from(p.metadata[KEY_ID_METADATA]!).toString() : undefined);

/** The request body `{ payloads: [...] }` of the codec protocol, as payloads (422 for anything else). */
function parsePayloads(body: unknown): Payload[] {
  const list = (body as { payloads?: unknown } | null | undefined)?.payloads;
  if (!Array.isArray(list) || list.length > MAX_PAYLOADS) {
    throw new ApiError(422, 'validation_failed', `Erwartet: { "payloads": [...] } mit höchstens ${MAX_PAYLOADS} Einträgen.`, { fields: { payloads: 'Liste von Payloads' } });
  }
  try {
    return (list as WirePayload[]).map(fromWire);
  } catch {
    throw new ApiError(422, 'validation_failed', 'Ungültige Payloads.', { fields: { payloads: 'metadata/data base64-kodiert' } });
  }
}

/** Writes to the access log which cases and handovers the payloads reveal: the subjects of their data keys. */
async function logRevealed(db: OperationDeps['db'], caller: Caller, payloads: Payload[]): Promise<void> {
  const dataKeyIds = [...new Set(payloads.map(keyIdOf).filter((id): id is string => id?.startsWith('dk_') ?? false))];
  const keys = dataKeyIds.length ? await db.dataKey.findMany({ where: { id: { in: dataKeyIds }, destroyedAt: null }, select: { subject: true } }) : [];
  const caseIds = keys.flatMap((k) => (k.subject.startsWith('case-') ? [k.subject.slice('case-'.length)] : []));
  const handoverIds = keys.flatMap((k) => (k.subject.startsWith('handover-') ? [k.subject.slice('handover-'.length)] : []));
  for (const caseId of caseIds) await logAccess(db, caller, { action: 'read_engine_history', caseId });
  for (const handoverId of handoverIds) await logAccess(db, caller, { action: 'read_engine_history', handoverId });

  // Payloads under the installation key cannot be tied to a case (other workflows, or cases' payloads from before
  // per-case keys): logged once, without a case.
  if (payloads.some((p) => keyIdOf(p) !== undefined && !keyIdOf(p)!.startsWith('dk_'))) {
    await logAccess(db, caller, { action: 'read_engine_history' });
  }
}

/** POST /api/v1/codec/decode: the payloads decrypted where this installation can, logged before anything is returned. */
export async function decodeEngineHistory(
  { db, temporal }: Pick<OperationDeps, 'db' | 'temporal'>,
  caller: Caller,
  body: unknown,
): Promise<{ payloads: WirePayload[] }> {
  if (!canReadEngineHistory(caller.user)) throw new ApiError(403, 'forbidden', 'Entschlüsselte Temporal-Verläufe sieht nur die KIM-Koordination.');
  const payloads = parsePayloads(body);
  const codecs = temporal.options.loadedDataConverter.payloadCodecs;
  await logRevealed(db, caller, payloads);

  const decoded = await Promise.all(
    payloads.map(async (payload) => {
      let out = [payload];
      try {
        for (const codec of [...codecs].reverse()) out = await codec.decode(out);
      } catch (error) {
        // The database away is an outage (503), not a reason to show ciphertext.
        if (isDatabaseUnavailable(error)) throw error;
        // Erased (destroyed data key), or under a key this installation does not have: the UI keeps the ciphertext.
        return payload;
      }
      return out[0]!;
    }),
  );
  return { payloads: decoded.map(toWire) };
}

// Codec server for the Temporal web UI (POST /api/v1/codec/decode, Temporal's remote codec protocol): the UI shows
// encrypted payloads as ciphertext; pointed at this endpoint (`temporal server start-dev --ui-codec-endpoint`, which
// `npm start` does), it shows them decrypted — to KIM coordinators only, signed in to KIM Casework in the same
// browser, and every case whose data is decrypted this way is written to the access log (action
// `read_engine_history`, channel `temporal_ui`). Payloads under a destroyed data key come back unchanged.
// No /encode: nobody needs to write into a case through the engine's UI.
import { Router, type RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { Database } from '../platform/database.js';
import { KEY_ID_METADATA } from '../platform/payload-codec.js';
import { logAccess } from './access-log.js';
import { currentUser } from './auth.js';
import { ApiError, isDatabaseUnavailable } from './errors.js';

/** A payload as the codec protocol carries it: metadata values and data base64-encoded. */
interface WirePayload {
  metadata?: Record<string, string>;
  data?: string;
}

const MAX_PAYLOADS = 1000;

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

/** CORS for the Temporal UI's origin only (also under its localhost/127.0.0.1 twin), with credentials (the KIM
 *  session cookie). */
export function codecCors(uiUrl: string | undefined): RequestHandler {
  const allowed = new Set<string>();
  if (uiUrl) {
    const url = new URL(uiUrl);
    allowed.add(url.origin);
    if (url.hostname === 'localhost' || url.hostname === '127.0.0.1') {
      for (const host of ['localhost', '127.0.0.1']) allowed.add(`${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`);
    }
  }
  return (req, res, next) => {
    const origin = req.get('origin');
    if (origin && allowed.has(origin)) {
      res.set('Access-Control-Allow-Origin', origin);
      res.set('Access-Control-Allow-Credentials', 'true');
      res.set('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      res.set('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.set('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  };
}

export function codecServerRouter({ db, temporal }: { db: Database; temporal: Client }): Router {
  const router = Router();
  router.post('/decode', async (req, res) => {
    const user = currentUser(req);
    if (user.role !== 'coordinator') throw new ApiError(403, 'forbidden', 'Entschlüsselte Temporal-Verläufe sieht nur die KIM-Koordination.');
    const body = req.body as { payloads?: unknown };
    if (!body || !Array.isArray(body.payloads) || body.payloads.length > MAX_PAYLOADS) {
      throw new ApiError(422, 'validation_failed', `Erwartet: { "payloads": [...] } mit höchstens ${MAX_PAYLOADS} Einträgen.`, { fields: { payloads: 'Liste von Payloads' } });
    }
    let payloads: Payload[];
    try {
      payloads = (body.payloads as WirePayload[]).map(fromWire);
    } catch {
      throw new ApiError(422, 'validation_failed', 'Ungültige Payloads.', { fields: { payloads: 'metadata/data base64-kodiert' } });
    }
    const codecs = temporal.options.loadedDataConverter.payloadCodecs;

    // Which cases this reveals: the subjects of the data keys involved (logged before anything is sent).
    const dataKeyIds = [...new Set(payloads.map(keyIdOf).filter((id): id is string => id?.startsWith('dk_') ?? false))];
    const keys = dataKeyIds.length ? await db.dataKey.findMany({ where: { id: { in: dataKeyIds }, destroyedAt: null }, select: { subject: true } }) : [];
    const caseIds = keys.flatMap((k) => (k.subject.startsWith('case-') ? [k.subject.slice('case-'.length)] : []));
    const handoverIds = keys.flatMap((k) => (k.subject.startsWith('handover-') ? [k.subject.slice('handover-'.length)] : []));
    for (const caseId of caseIds) await logAccess(db, req, user, { action: 'read_engine_history', caseId, channel: 'temporal_ui' });
    for (const handoverId of handoverIds) await logAccess(db, req, user, { action: 'read_engine_history', handoverId, channel: 'temporal_ui' });

    // Payloads under the installation key cannot be tied to a case (other workflows, or cases' payloads from before
    // per-case keys): logged once, without a case.
    if (payloads.some((p) => keyIdOf(p) !== undefined && !keyIdOf(p)!.startsWith('dk_'))) {
      await logAccess(db, req, user, { action: 'read_engine_history', channel: 'temporal_ui' });
    }

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
    res.set('Cache-Control', 'no-store');
    res.json({ payloads: decoded.map(toWire) });
  });
  return router;
}

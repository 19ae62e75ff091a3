// Codec server for the Temporal web UI (POST /api/v1/codec/decode, Temporal's remote codec protocol): pointed at this
// endpoint (`temporal server start-dev --ui-codec-endpoint`, which `npm start` does), the UI shows encrypted payloads
// decrypted — to KIM coordinators signed in to KIM Casework in the same browser (api/operations/engine-history.ts:
// who may, what is logged). No /encode: nobody needs to write into a case through the engine's UI.
import { Router, type RequestHandler } from 'express';
import { callerOf } from '../http/caller.js';
import type { OperationDeps } from '../operations/caller.js';
import { decodeEngineHistory } from '../operations/engine-history.js';

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

/** Mount at /api/v1/codec behind codecCors and the sign-in check; the access-log channel is `temporal_ui`. */
export function codecServerRouter(deps: Pick<OperationDeps, 'db' | 'temporal'>): Router {
  const router = Router();
  router.post('/decode', async (req, res) => {
    const decoded = await decodeEngineHistory(deps, callerOf(req, 'temporal_ui'), req.body);
    res.set('Cache-Control', 'no-store');
    res.json(decoded);
  });
  return router;
}

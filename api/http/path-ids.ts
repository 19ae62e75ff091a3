// Ids in paths are UUIDs (cases and handovers are made with randomUUID): anything else — a NUL character, a year,
// a 10 kB string — is "not found" before any query runs, for the JSON door and the pages alike (issue 15 finding 8).
import type { RequestHandler } from 'express';
import { ApiError } from '../operations/errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Paths whose segment after the prefix is an id, and the fixed words that may stand there instead. */
const ID_SEGMENTS: ReadonlyArray<{ prefix: RegExp; words: readonly string[] }> = [
  { prefix: /^\/api\/v1\/(?:cases|handovers)\/([^/]+)/i, words: ['shared'] },
  { prefix: /^\/(?:faelle|uebergaben)\/([^/]+)/i, words: ['neu'] },
  { prefix: /^\/(?:api\/v1\/admin\/record-rejections|verwaltung\/schreibfehler)\/([^/]+)/i, words: [] },
];

export const requireUuidPathIds: RequestHandler = (req, _res, next) => {
  for (const { prefix, words } of ID_SEGMENTS) {
    const segment = prefix.exec(req.path)?.[1];
    if (segment === undefined || words.includes(segment.toLowerCase()) || UUID.test(segment)) continue;
    throw new ApiError(404, 'not_found', 'Nicht gefunden.');
  }
  next();
};

// 405 for the JSON door: a request under /api/v1 whose path is one of the OpenAPI document's path templates but whose
// method the path does not have answers 405 method_not_allowed with `Allow` (the documented methods, HEAD with GET,
// OPTIONS), instead of the 404 of an unknown path. OPTIONS on such a path answers 204 with the same `Allow`.
// Mount after every /api/v1 router and before the 404 handler: it only sees what no route answered.
import type { Request, RequestHandler } from 'express';
import { sendError } from './json-errors.js';

export interface PathsDocument {
  paths: Record<string, unknown>;
}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const OPERATION_KEYS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

interface Template {
  /** Lower-cased literal segments; null for a `{parameter}`. */
  segments: Array<string | null>;
  literals: number;
  allow: string[];
}

function compile(document: PathsDocument, prefix: string): Template[] {
  const templates: Template[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.toLowerCase().startsWith(prefix)) continue;
    const documented = Object.keys(item as object).filter((k) => OPERATION_KEYS.has(k)).map((k) => k.toUpperCase());
    const methods = new Set([...documented, 'OPTIONS', ...(documented.includes('GET') ? ['HEAD'] : [])]);
    const segments = path.split('/').slice(1).map((s) => (/^\{[^}]+\}$/.test(s) ? null : s.toLowerCase()));
    templates.push({ segments, literals: segments.filter((s) => s !== null).length, allow: METHOD_ORDER.filter((m) => methods.has(m)) });
  }
  return templates;
}

/** Express matches paths case-insensitively and ignores one trailing slash; so does this. */
function segmentsOf(req: Request): string[] {
  const path = `${req.baseUrl}${req.path}`.replace(/(.)\/$/, '$1');
  return path.split('/').slice(1).map((s) => s.toLowerCase());
}

/**
 * The methods of the path template `segments` match, or null. Literal segments win over parameters (OpenAPI: concrete
 * paths before templated ones), so /cases/shared is not /cases/{id}; equally specific templates share their methods.
 */
function allowedFor(templates: Template[], segments: string[]): string[] | null {
  const matching = templates.filter(
    (t) => t.segments.length === segments.length && t.segments.every((s, i) => (s === null ? segments[i] !== '' : s === segments[i])),
  );
  if (!matching.length) return null;
  const best = Math.max(...matching.map((t) => t.literals));
  const methods = new Set(matching.filter((t) => t.literals === best).flatMap((t) => t.allow));
  return METHOD_ORDER.filter((m) => methods.has(m));
}

/** The `Allow` list for a path under the document, or null when no template matches (tests and tools). */
export function allowedMethods(document: PathsDocument, path: string, prefix = '/api/v1'): string[] | null {
  const segments = path.replace(/(.)\/$/, '$1').split('/').slice(1).map((s) => s.toLowerCase());
  return allowedFor(compile(document, prefix.toLowerCase()), segments);
}

/** The middleware; `prefix` limits it to the JSON door. */
export function methodNotAllowed(document: PathsDocument, { prefix = '/api/v1' } = {}): RequestHandler {
  const templates = compile(document, prefix.toLowerCase());
  return (req, res, next) => {
    const allow = allowedFor(templates, segmentsOf(req));
    if (!allow || (allow.includes(req.method) && req.method !== 'OPTIONS')) return next();
    res.set('Allow', allow.join(', '));
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    sendError(res, 405, 'method_not_allowed', `Die Methode ${req.method} ist für diese Adresse nicht vorgesehen. Erlaubt: ${allow.join(', ')}.`);
  };
}

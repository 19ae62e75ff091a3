// Building blocks of the OpenAPI document (api/v1/openapi.ts): JSON Schema from the validating zod schemas, and the
// responses every operation shares (the JSON error body of api/http/json-errors.ts).
import { z } from 'zod';
import { JSON_SCHEMA_PATTERNS, isIsoDate, isIsoTimestamp } from '../../domain/index.js';

export type JsonSchema = Record<string, unknown>;

type ZodInternals = { _zod: { def: { type?: string; checks?: Array<{ _zod: { def: { check?: string; fn?: unknown; tx?: (v: string) => string } } }> } } };

function checksOf(schema: z.ZodType) {
  return (schema as unknown as ZodInternals)._zod.def.checks ?? [];
}

/** `.trim()` (an overwrite check that trims): " x " becomes "x". */
function trims(schema: z.ZodType): boolean {
  return checksOf(schema).some((c) => c._zod.def.check === 'overwrite' && c._zod.def.tx?.(' x ') === 'x');
}

/** Refinements with a known JSON Schema: the domain's date checks, referenced by function identity. */
const KNOWN_REFINEMENTS = new Map<unknown, JsonSchema>([
  [isIsoDate, { format: 'date', pattern: JSON_SCHEMA_PATTERNS.date }],
  [isIsoTimestamp, { pattern: JSON_SCHEMA_PATTERNS.timestamp }],
]);

/**
 * What z.toJSONSchema cannot see in a schema that carries no `.meta()` of its own (the domain's schemas do, see
 * domain/validation.ts): a trimmed string with a minimum length must not be blank, and a refine with a known
 * function is described by its pattern.
 */
function describeRefinements({ zodSchema, jsonSchema }: { zodSchema: unknown; jsonSchema: JsonSchema }) {
  const schema = zodSchema as z.ZodType;
  if ((schema as unknown as ZodInternals)._zod.def.type !== 'string' || 'pattern' in jsonSchema) return;
  for (const check of checksOf(schema)) {
    const known = KNOWN_REFINEMENTS.get(check._zod.def.fn);
    if (known) Object.assign(jsonSchema, known);
  }
  if (!('pattern' in jsonSchema) && trims(schema) && Number(jsonSchema.minLength ?? 0) >= 1) {
    jsonSchema.pattern = JSON_SCHEMA_PATTERNS.notBlank;
  }
}

/** The JSON Schema of what a zod schema accepts as input (the request side). */
export function schemaOf(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', override: describeRefinements }) as JsonSchema;
  delete json.$schema;
  return json;
}

/** One query parameter per property of a zod object schema (the validator of the operation's query string). */
export function queryParameters(schema: z.ZodType): JsonSchema[] {
  const json = schemaOf(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    ...(json.required?.includes(name) ? { required: true } : {}),
    schema: property,
  }));
}

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: JsonSchema, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
export const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

const retryAfter = (description: string) => ({ 'Retry-After': { description, schema: { type: 'integer', minimum: 1 } } });

export const errorResponse = (description: string, headers?: JsonSchema) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: ref('Error') } },
});

// ---------------------------------------------------------------------------------------------------------------
// The statuses every operation of the JSON door can answer besides its own (api/http/json-errors.ts, authentication).

export const CSRF_403 = 'csrf_failed: X-CSRF-Token fehlt oder ist falsch (Anfragen mit Sitzungs-Cookie)';

const SHARED_ERRORS = {
  400:
    'invalid_json: der Anfragetext ist kein gültiges JSON; invalid_characters: Zeichen, die nicht gespeichert werden können ' +
    '(z. B. ein Nullzeichen in Pfad, Abfrage oder Text); bad_request: sonst unlesbare Anfrage',
  401: 'unauthenticated: nicht angemeldet',
  413: 'bad_request: Anfragetext größer als 1 MB',
  415: 'bad_request: Zeichensatz oder Kodierung des Anfragetexts nicht unterstützt',
  503: 'database_unavailable / temporal_unavailable: Datenbank oder Prozess-Engine vorübergehend nicht erreichbar',
} as const;

export interface OperationTraits {
  /** Needs a signed-in caller (401 without). Default: true. */
  auth?: boolean;
  /** Checks the CSRF token of cookie sessions (403 csrf_failed). Default: state-changing methods. */
  csrf?: boolean;
}

type Operation = { requestBody?: unknown; responses: Record<string, unknown> } & Record<string, unknown>;

/**
 * Adds the shared error statuses to an operation's own: 400 always (the body parser runs for every request, ids and
 * query values reach the database), 401 with `auth`, 403 csrf_failed with `csrf`, 413/415 with a request body, 503.
 */
export function withSharedErrors(method: string, operation: Operation, traits: OperationTraits = {}): Operation {
  const auth = traits.auth ?? true;
  const csrf = traits.csrf ?? (auth && method !== 'get');
  const responses: Record<string, unknown> = { ...operation.responses };
  responses[400] ??= errorResponse(SHARED_ERRORS[400]);
  if (auth) responses[401] ??= errorResponse(SHARED_ERRORS[401]);
  if (csrf) {
    const own = responses[403] as { description: string } | undefined;
    responses[403] = own ? { ...own, description: `${own.description}; ${CSRF_403}` } : errorResponse(CSRF_403);
  }
  if (operation.requestBody) {
    responses[413] ??= errorResponse(SHARED_ERRORS[413]);
    responses[415] ??= errorResponse(SHARED_ERRORS[415]);
  }
  responses[503] = errorResponse(SHARED_ERRORS[503], retryAfter('Sekunden bis zum nächsten Versuch'));
  return { ...operation, responses };
}

export const tooManyAttempts = (description: string) => errorResponse(description, retryAfter('Sekunden bis zum nächsten Versuch'));

/** Applies withSharedErrors to every operation of a path item. */
export function pathItem(operations: Record<string, Operation>, traits: OperationTraits = {}): Record<string, Operation> {
  return Object.fromEntries(Object.entries(operations).map(([method, op]) => [method, withSharedErrors(method, op, traits)]));
}

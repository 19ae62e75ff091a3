// The typed errors operations throw (status and code of the contract, German message) and the classifiers of
// outages; the doors map them to a JSON error body (api/http/json-errors.ts) or a German page (api/pages/errors.ts).
import { isGrpcServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Outages: a database or process engine that cannot be reached is a 503 the caller can retry, not a 500.

/** Prisma error codes for "cannot reach the server / the connection broke or timed out" (not errors of a query). */
const DATABASE_CONNECTION_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017']);
/** The same as kinds of @prisma/adapter-pg's DriverAdapterError (raw queries report them under their own code). */
const DATABASE_CONNECTION_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout']);
/** node-postgres errors for a connection that broke or could not be made, which Prisma passes on unchanged. */
const PG_CONNECTION_MESSAGES = [
  /^Connection terminated( unexpectedly| due to connection timeout)?$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^timeout exceeded when trying to connect$/,
];
const SOCKET_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/** An error from Prisma (it carries Prisma's clientVersion) that says the database is unreachable right now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & { clientVersion?: unknown; code?: unknown; errorCode?: unknown; syscall?: unknown; meta?: unknown };
  if (typeof e.clientVersion !== 'string') return false;
  if (typeof e.code === 'string' && DATABASE_CONNECTION_CODES.has(e.code)) return true;
  if (typeof e.errorCode === 'string' && DATABASE_CONNECTION_CODES.has(e.errorCode)) return true;
  const kind = (e.meta as { driverAdapterError?: { cause?: { kind?: unknown } } } | undefined)?.driverAdapterError?.cause?.kind;
  if (typeof kind === 'string' && DATABASE_CONNECTION_KINDS.has(kind)) return true;
  if (typeof e.code === 'string' && typeof e.syscall === 'string' && SOCKET_ERROR_CODES.has(e.code)) return true;
  return PG_CONNECTION_MESSAGES.some((pattern) => pattern.test(e.message));
}

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

/** A Temporal client error (ServiceError or gRPC error, looked at through its causes) for an unreachable server. */
export function isTemporalUnavailable(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    if (isGrpcServiceError(e)) return e.code === GRPC_UNAVAILABLE || e.code === GRPC_DEADLINE_EXCEEDED;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** PostgreSQL cannot store the text it was given: a NUL character (22021) or one without a mapping (22P05). Only
 *  request data can bring such characters; storing them is impossible, so it is the caller's 400, not a 500. */
const UNSTORABLE_TEXT_CODES = new Set(['22021', '22P05']);

export function isUnstorableText(error: unknown): boolean {
  if (!(error instanceof Error) || typeof (error as { clientVersion?: unknown }).clientVersion !== 'string') return false;
  const cause = ((error as { meta?: unknown }).meta as { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown } } } | undefined)?.driverAdapterError?.cause;
  return cause?.kind === 'postgres' && typeof cause.code === 'string' && UNSTORABLE_TEXT_CODES.has(cause.code);
}

export const DATABASE_UNAVAILABLE_MESSAGE = 'Die Datenbank ist vorübergehend nicht erreichbar. Bitte in einer Minute erneut versuchen.';
export const TEMPORAL_UNAVAILABLE_MESSAGE = 'Die Prozess-Engine ist vorübergehend nicht erreichbar. Bitte in einer Minute erneut versuchen.';

/** A refusal from the workflow's validator, in the contract's shape: 409 / 422 / 403. */
export function refusalToApiError(error: unknown): unknown {
  if (!(error instanceof WorkflowUpdateFailedError) || !(error.cause instanceof ApplicationFailure)) return error;
  const detail = error.cause.details?.[0] as { allowed?: string[]; fields?: Record<string, string> } | undefined;
  switch (error.cause.type) {
    case 'transition_not_allowed':
      return new ApiError(409, 'transition_not_allowed', error.cause.message, { allowed: detail?.allowed ?? [] });
    case 'validation_failed':
      return new ApiError(422, 'validation_failed', error.cause.message, { fields: detail?.fields ?? {} });
    case 'forbidden':
      return new ApiError(403, 'forbidden', error.cause.message);
    // The database refused this case's record for good (issue 15): the case is held until IT wrote it again.
    case 'record_held':
      return new ApiError(409, 'record_held', error.cause.message, { allowed: [] });
    case 'record_rejected':
      return new ApiError(500, 'record_rejected', error.cause.message);
    default:
      return error;
  }
}

/** A unique constraint refused the insert (Prisma P2002): someone else's insert of the same key won the race. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === 'P2002';
}

// The process's structured log (pino): JSON lines with level, time and message on stdout; pretty, coloured lines in
// development on a terminal (pino-pretty, a development dependency). Log ids and codes, never client data (names,
// birth dates, notes): request logs carry the request id, the user id, the route pattern, status and duration.
//
// LOG_LEVEL (default `info`; `warn` under vitest) and LOG_FORMAT (`json` | `pretty`; default pretty only when
// NODE_ENV is not production and stdout is a terminal).
import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';

function wantsPretty(env: NodeJS.ProcessEnv): boolean {
  if (env.LOG_FORMAT) return env.LOG_FORMAT === 'pretty';
  return env.NODE_ENV !== 'production' && Boolean(process.stdout.isTTY);
}

type PrettyFactory = (options: Record<string, unknown>) => NodeJS.WritableStream;

/** pino-pretty as a synchronous stream (no worker thread: a line logged just before process.exit is not lost). */
function prettyStream(): NodeJS.WritableStream | undefined {
  try {
    const pretty = createRequire(import.meta.url)('pino-pretty') as PrettyFactory;
    return pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid' });
  } catch {
    // A production install without development dependencies: JSON lines.
    return undefined;
  }
}

export function createLogger(env: NodeJS.ProcessEnv = process.env): Logger {
  const level = env.LOG_LEVEL || (env.VITEST ? 'warn' : 'info');
  const options = { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  const pretty = wantsPretty(env) ? prettyStream() : undefined;
  return pretty ? pino(options, pretty) : pino(options);
}

/** The one logger of this process. */
export const logger: Logger = createLogger();

/** An error as log fields: its class, message and stack (never the request or its body). */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { err: { message: String(error) } };
  return { err: { type: error.constructor.name, message: error.message, stack: error.stack } };
}

const PINO_LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The Temporal SDK's logger (Runtime.install({ logger })) onto pino: workflow and activity logs come with the SDK's
 * metadata (workflowId `case-<id>` / `handover-<id>`, runId, activity type), core logs with theirs.
 */
export function temporalLogger(target: Logger, minimum: LogLevel = 'INFO'): TemporalLogger {
  const order: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
  const child = target.child({ component: 'temporal' });
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => {
    if (order.indexOf(level) < order.indexOf(minimum)) return;
    child[PINO_LEVELS[level]](meta ?? {}, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

/**
 * Runtime.install options of `npm start` and `npm run worker`: the SDK's logs into pino (minimum TEMPORAL_LOG_LEVEL,
 * default WARN: the worker's routine INFO lines would drown everything else) and, with TEMPORAL_METRICS_ADDRESS
 * (`127.0.0.1:9464`), the SDK runtime's Prometheus exporter for worker and client metrics on that address.
 */
export function temporalRuntimeOptions(env: NodeJS.ProcessEnv = process.env) {
  const level = (env.TEMPORAL_LOG_LEVEL?.toUpperCase() as LogLevel | undefined) ?? 'WARN';
  const metricsAddress = env.TEMPORAL_METRICS_ADDRESS?.trim();
  return {
    logger: temporalLogger(logger, ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'].includes(level) ? level : 'WARN'),
    ...(metricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } } } : {}),
  };
}

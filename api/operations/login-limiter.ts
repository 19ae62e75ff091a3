// Failed sign-in attempts per key (e-mail + client address): after LOGIN_MAX_FAILURES failures within
// LOGIN_WINDOW_MS the key is locked (429 with Retry-After), even for the right password; a success forgets the key.
//
// The app's limiter is shared by every API process (createSharedLoginLimiter): rate-limiter-flexible's
// RateLimiterPrisma over the process's one Prisma client, table `LoginFailure` (a Prisma migration, never created at
// run time). Several API processes behind a load balancer therefore allow LOGIN_MAX_FAILURES in total, not that many
// each, and a restart forgets nothing. Counting is atomic in PostgreSQL (INSERT … ON CONFLICT DO UPDATE points + 1).
// The key is stored as a SHA-256, so the table holds no e-mail addresses. Expired rows are deleted by the library
// (every 5 minutes, by each process; idempotent).
//
// createLoginLimiter is the same contract in process memory (sliding window, bounded number of keys), for unit tests
// and tools that have no database.
import { createHash } from 'node:crypto';
import { RateLimiterPrisma } from 'rate-limiter-flexible';
import type { Database } from '../../platform/database.js';

export interface LoginLimiterOptions {
  /** Failures allowed within the window; the next attempt is refused. */
  maxFailures?: number;
  windowMs?: number;
  /** Upper bound on remembered keys, so a flood of invented e-mail addresses cannot exhaust memory. */
  maxKeys?: number;
  now?: () => number;
}

/** What sign-in needs; the shared limiter answers asynchronously (a database round trip), the in-memory one at once. */
export interface LoginLimiter {
  /** Milliseconds until the key may try again, or 0 when it may try now. */
  retryAfterMs(key: string): number | Promise<number>;
  recordFailure(key: string): void | Promise<void>;
  /** A successful sign-in forgets the key's failures. */
  reset(key: string): void | Promise<void>;
}

export interface MemoryLoginLimiter extends LoginLimiter {
  retryAfterMs(key: string): number;
  recordFailure(key: string): void;
  reset(key: string): void;
}

export const LOGIN_MAX_FAILURES = 10;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;

/**
 * The limiter of the app: counts in PostgreSQL, so all API processes on the same database share one count per key.
 * Fixed window from the first failure; the failure that reaches the limit locks the key for a whole window from that
 * moment (so no second burst can follow right after a window ends).
 */
export function createSharedLoginLimiter(db: Database, options: Pick<LoginLimiterOptions, 'maxFailures' | 'windowMs'> = {}): LoginLimiter {
  const maxFailures = options.maxFailures ?? LOGIN_MAX_FAILURES;
  const windowSeconds = (options.windowMs ?? LOGIN_WINDOW_MS) / 1000;
  const store = new RateLimiterPrisma({
    storeClient: db,
    // The Prisma client's delegate of model LoginFailure (prisma/schema.prisma).
    tableName: 'loginFailure',
    keyPrefix: 'login',
    points: maxFailures,
    duration: windowSeconds,
  });
  const hashed = (key: string) => createHash('sha256').update(key).digest('hex');
  return {
    async retryAfterMs(key) {
      const state = await store.get(hashed(key));
      if (!state || state.consumedPoints < maxFailures) return 0;
      return Math.max(1, state.msBeforeNext);
    },
    async recordFailure(key) {
      const state = await store.penalty(hashed(key));
      if (state.consumedPoints >= maxFailures) await store.block(hashed(key), windowSeconds);
    },
    async reset(key) {
      await store.delete(hashed(key));
    },
  };
}

/** The same contract in process memory: a sliding window per key, at most maxKeys keys. Not shared between processes. */
export function createLoginLimiter(options: LoginLimiterOptions = {}): MemoryLoginLimiter {
  const maxFailures = options.maxFailures ?? LOGIN_MAX_FAILURES;
  const windowMs = options.windowMs ?? LOGIN_WINDOW_MS;
  const maxKeys = options.maxKeys ?? 50_000;
  const now = options.now ?? Date.now;
  // key → times of the failures still inside the window, oldest first (never more than maxFailures of them).
  const failures = new Map<string, number[]>();

  const recent = (key: string, at: number): number[] => {
    const list = (failures.get(key) ?? []).filter((t) => t > at - windowMs);
    if (list.length === 0) failures.delete(key);
    else failures.set(key, list);
    return list;
  };

  const sweep = (at: number) => {
    for (const key of [...failures.keys()]) recent(key, at);
    // Still full of live keys: forget the oldest (Map keeps insertion order) rather than grow without bound.
    for (const key of failures.keys()) {
      if (failures.size < maxKeys) break;
      failures.delete(key);
    }
  };

  return {
    retryAfterMs(key) {
      const at = now();
      const list = recent(key, at);
      if (list.length < maxFailures) return 0;
      // Locked until the oldest of the last maxFailures failures leaves the window.
      return Math.max(1, list[list.length - maxFailures]! + windowMs - at);
    },
    recordFailure(key) {
      const at = now();
      if (!failures.has(key) && failures.size >= maxKeys) sweep(at);
      const list = recent(key, at);
      list.push(at);
      failures.set(key, list.slice(-maxFailures));
    },
    reset(key) {
      failures.delete(key);
    },
  };
}

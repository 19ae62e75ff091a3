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

// ---------------------------------------------------------------------------------------------------------------
// The sign-in throttle: three counts, all in PostgreSQL (shared by every API process).
//
// 1. per e-mail address and client *network* (IPv4 /24, IPv6 /64): LOGIN_MAX_FAILURES in LOGIN_WINDOW_MS, then
//    locked for a window — a host with many addresses of one network counts once;
// 2. per client network across all accounts: NETWORK_MAX_FAILURES in LOGIN_WINDOW_MS — spraying one password over many
//    accounts from one network stops there;
// 3. per e-mail address across all networks: after ACCOUNT_FREE_FAILURES failures within a day, each further failure
//    delays the next attempt progressively (1 s, 2 s, 4 s, … at most ACCOUNT_MAX_DELAY_MS) — guessing from many
//    networks slows to a few attempts an hour, and the owner is kept out for at most that long.
// A success resets 1 and 3 (not 2: one good password must not clear a network's spraying record).

export const NETWORK_MAX_FAILURES = 100;
export const ACCOUNT_FREE_FAILURES = 10;
export const ACCOUNT_MAX_DELAY_MS = 15 * 60 * 1000;
const DAY_SECONDS = 24 * 60 * 60;

export interface SignInAttempt {
  email: string;
  ip: string;
}

export interface LoginThrottle {
  /** Milliseconds until this attempt may be made, or 0. */
  retryAfterMs(attempt: SignInAttempt): Promise<number>;
  recordFailure(attempt: SignInAttempt): Promise<void>;
  recordSuccess(attempt: SignInAttempt): Promise<void>;
}

export interface LoginThrottleOptions {
  perAccountAndNetwork?: Pick<LoginLimiterOptions, 'maxFailures' | 'windowMs'>;
  perNetwork?: Pick<LoginLimiterOptions, 'maxFailures' | 'windowMs'>;
  /** baseDelayMs: the first delay (default 1 s), doubled with each further failure. */
  account?: { freeFailures?: number; baseDelayMs?: number; maxDelayMs?: number };
}

/** The client's network: IPv4 /24, IPv6 /64 (IPv4-mapped IPv6 as IPv4); anything else as it is. */
export function networkOf(ip: string): string {
  const address = ip.trim().toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.\d+$/.exec(address);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (!address.includes(':')) return address;
  // Expand "::" so the first four groups are the /64 prefix.
  const [head = '', tail] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'), ...tailGroups];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** Progressive per-account delay (count 3 above), over two RateLimiterPrisma tables' worth of keys. */
function createAccountDelay(db: Database, options: NonNullable<LoginThrottleOptions['account']>) {
  const freeFailures = options.freeFailures ?? ACCOUNT_FREE_FAILURES;
  const maxDelaySeconds = Math.ceil((options.maxDelayMs ?? ACCOUNT_MAX_DELAY_MS) / 1000);
  const baseDelaySeconds = Math.max(1, Math.round((options.baseDelayMs ?? 1000) / 1000));
  // Same table and prefix as the other counts; the hashed key says which count it is (and holds no address).
  const counts = new RateLimiterPrisma({ storeClient: db, tableName: 'loginFailure', keyPrefix: 'login', points: 1_000_000, duration: DAY_SECONDS });
  const locks = new RateLimiterPrisma({ storeClient: db, tableName: 'loginFailure', keyPrefix: 'login', points: 1, duration: DAY_SECONDS });
  const countKey = (email: string) => createHash('sha256').update(`account\n${email}`).digest('hex');
  const lockKey = (email: string) => createHash('sha256').update(`account-lock\n${email}`).digest('hex');
  return {
    async retryAfterMs(email: string) {
      const lock = await locks.get(lockKey(email));
      return lock && lock.consumedPoints > 1 ? Math.max(1, lock.msBeforeNext) : 0;
    },
    async recordFailure(email: string) {
      const { consumedPoints } = await counts.penalty(countKey(email));
      const over = consumedPoints - freeFailures;
      if (over > 0) await locks.block(lockKey(email), Math.min(baseDelaySeconds * 2 ** Math.min(over - 1, 30), maxDelaySeconds));
    },
    async reset(email: string) {
      await Promise.all([counts.delete(countKey(email)), locks.delete(lockKey(email))]);
    },
  };
}

export function createLoginThrottle(db: Database, options: LoginThrottleOptions = {}): LoginThrottle {
  const perAccountAndNetwork = createSharedLoginLimiter(db, options.perAccountAndNetwork);
  const perNetwork = createSharedLoginLimiter(db, { maxFailures: NETWORK_MAX_FAILURES, ...options.perNetwork });
  const account = createAccountDelay(db, options.account ?? {});
  const keys = ({ email, ip }: SignInAttempt) => ({ pair: `${email}\n${networkOf(ip)}`, network: `network\n${networkOf(ip)}` });
  return {
    async retryAfterMs(attempt) {
      const { pair, network } = keys(attempt);
      const waits = await Promise.all([perAccountAndNetwork.retryAfterMs(pair), perNetwork.retryAfterMs(network), account.retryAfterMs(attempt.email)]);
      return Math.max(...waits);
    },
    async recordFailure(attempt) {
      const { pair, network } = keys(attempt);
      await Promise.all([perAccountAndNetwork.recordFailure(pair), perNetwork.recordFailure(network), account.recordFailure(attempt.email)]);
    },
    async recordSuccess(attempt) {
      await Promise.all([perAccountAndNetwork.reset(keys(attempt).pair), account.reset(attempt.email)]);
    },
  };
}

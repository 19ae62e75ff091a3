// Failed sign-in attempts per key (e-mail + client IP), sliding window, in memory.
//
// Why in memory per process: `npm start` serves the API from one Node process per installation, the number of staff
// accounts is small, and the limiter only has to make online password guessing slow — bcrypt does the rest. A restart forgets the counters, which is acceptable for that
// purpose. Running several API processes behind a load balancer would multiply the allowance by their number; then
// the counters belong in PostgreSQL (a small table keyed like `key` here).

export interface LoginLimiterOptions {
  /** Failures allowed within the window; the next attempt is refused. */
  maxFailures?: number;
  windowMs?: number;
  /** Upper bound on remembered keys, so a flood of invented e-mail addresses cannot exhaust memory. */
  maxKeys?: number;
  now?: () => number;
}

export interface LoginLimiter {
  /** Milliseconds until the key may try again, or 0 when it may try now. */
  retryAfterMs(key: string): number;
  recordFailure(key: string): void;
  /** A successful sign-in forgets the key's failures. */
  reset(key: string): void;
}

export const LOGIN_MAX_FAILURES = 10;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;

export function createLoginLimiter(options: LoginLimiterOptions = {}): LoginLimiter {
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

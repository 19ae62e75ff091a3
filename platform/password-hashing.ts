// Password hashes with native bcrypt (npm `bcrypt`, prebuilt binaries): hashing and comparing run on libuv's thread
// pool, not on the event loop, so parallel sign-ins do not stall every other request. A gate caps how many run at
// once (they would otherwise take all pool threads, which file and DNS work share) and how many may wait; beyond
// that a sign-in is refused at once (PasswordHashingBusy → 503) instead of queueing without bound.
// Hashes are the same format as bcryptjs wrote ($2a$/$2b$), so stored hashes stay valid.
import bcrypt from 'bcrypt';

export const BCRYPT_COST = 10;

export class PasswordHashingBusy extends Error {
  constructor() {
    super('too many password hashes at once');
  }
}

export interface HashingGate {
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Running now and waiting now (for tests and metrics). */
  stats(): { running: number; waiting: number; maxRunning: number };
}

export function createHashingGate(maxConcurrent: number, maxWaiting: number): HashingGate {
  let running = 0;
  let maxRunning = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  return {
    async run(work) {
      if (running >= maxConcurrent) {
        if (waiting.length >= maxWaiting) throw new PasswordHashingBusy();
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        return await work();
      } finally {
        release();
      }
    },
    stats: () => ({ running, waiting: waiting.length, maxRunning }),
  };
}

function positive(raw: string | undefined, fallback: number): number {
  const value = Number(raw);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** One gate per process: KIM_HASHING_CONCURRENCY (default 2) at once, KIM_HASHING_QUEUE (default 50) waiting. */
const processGate = createHashingGate(positive(process.env.KIM_HASHING_CONCURRENCY, 2), positive(process.env.KIM_HASHING_QUEUE, 50));

export function passwordHashingStats() {
  return processGate.stats();
}

export function hashPassword(password: string, cost = BCRYPT_COST, gate: HashingGate = processGate): Promise<string> {
  return gate.run(() => bcrypt.hash(password, cost));
}

export function verifyPassword(password: string, hash: string, gate: HashingGate = processGate): Promise<boolean> {
  return gate.run(() => bcrypt.compare(password, hash));
}

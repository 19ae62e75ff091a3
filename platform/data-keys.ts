// Per-subject data keys (envelope encryption): every case and handover workflow gets its own random AES-256 key,
// kept in PostgreSQL only wrapped (AES-256-GCM) with an installation key of KIM_PAYLOAD_KEYS. The payload codec
// (platform/payload-codec.ts) encrypts a workflow's payloads with its data key, so destroying that one key at the end
// of the retention period makes every copy of them — engine history, its backups, exports — unreadable
// (crypto-erasure), while all other cases stay readable.
//
// Life of a key: active (encrypts and decrypts) → retired (erasure has begun: decrypts, encrypts nothing new; new
// payloads of the subject fall back to the installation key and carry no personal data) → destroyed (wrapped key
// deleted; its payloads are gone for good).
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { DATA_KEY_CACHE_MS, DATA_KEY_MAX_STALE_MS } from '../domain/erasure.js';
import type { Database } from './database.js';
import type { PayloadKey } from './payload-codec.js';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** Data key ids in payload metadata start with this; installation key ids must not (payload-codec.ts checks). */
export const DATA_KEY_PREFIX = 'dk_';

/** Workflows whose payloads get a data key of their own: the ones that carry a person's data. */
const SUBJECT = /^(case|handover)-[A-Za-z0-9-]+$/;

export function isDataKeySubject(workflowId: string | undefined): workflowId is string {
  return workflowId !== undefined && SUBJECT.test(workflowId);
}

export class DataKeyDestroyedError extends Error {
  constructor(readonly keyId: string) {
    super(
      `Der Datenschlüssel ${keyId} wurde vernichtet (Aufbewahrungsfrist abgelaufen): diese Daten sind gelöscht und nicht mehr lesbar.`,
    );
    this.name = 'DataKeyDestroyedError';
  }
}

export interface DataKey {
  id: string;
  key: Buffer;
}

function aad(id: string, subject: string): Buffer {
  // Binds a wrapped key to its row: copying it to another subject's row makes it fail authentication.
  return Buffer.from(`kim-data-key:${id}:${subject}`);
}

export function wrapDataKey(plain: Buffer, id: string, subject: string, wrapping: PayloadKey): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, wrapping.key, iv);
  cipher.setAAD(aad(id, subject));
  return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

export function unwrapDataKey(wrapped: Uint8Array, id: string, subject: string, wrapping: PayloadKey): Buffer {
  const data = Buffer.from(wrapped);
  if (data.length !== IV_BYTES + KEY_BYTES + TAG_BYTES) throw new Error(`Data key ${id}: wrapped key has the wrong length`);
  const decipher = createDecipheriv(ALGORITHM, wrapping.key, data.subarray(0, IV_BYTES));
  decipher.setAAD(aad(id, subject));
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new Error(`Data key ${id} failed authentication with installation key "${wrapping.id}": altered, or wrapped with another key`);
  }
}

interface Cached<T> {
  value: T;
  at: number;
}

/** What the codec needs: a key to encrypt a subject's new payloads with (null: retired/destroyed), and a key by id. */
export interface DataKeyResolver {
  keyForEncryption(subject: string): Promise<DataKey | null>;
  keyForDecryption(id: string): Promise<Buffer>;
}

type KeyRow = { id: string; subject: string; wrappedKey: Uint8Array | null; wrappingKeyId: string | null; retiredAt: Date | null; destroyedAt: Date | null };

/**
 * The data keys of an installation in PostgreSQL, wrapped with the installation keys. One store per process (it holds
 * the process's cache); `now` is injectable for tests of the cache.
 */
export class DataKeyStore implements DataKeyResolver {
  private readonly installationKeys: Map<string, PayloadKey>;
  private readonly current: PayloadKey;
  private readonly bySubject = new Map<string, Cached<DataKey | null>>();
  private readonly byId = new Map<string, Cached<Buffer | 'destroyed'>>();
  private readonly pending = new Map<string, Promise<unknown>>();

  constructor(
    private readonly db: Database,
    keys: PayloadKey[],
    private readonly now: () => number = Date.now,
  ) {
    if (keys.length === 0) throw new Error('DataKeyStore needs at least one installation key');
    this.current = keys[0]!;
    this.installationKeys = new Map(keys.map((k) => [k.id, k]));
  }

  private fresh<T>(entry: Cached<T> | undefined): boolean {
    return entry !== undefined && this.now() - entry.at < DATA_KEY_CACHE_MS;
  }

  /** One database round trip per key at a time, however many payloads ask at once. */
  private once<T>(name: string, load: () => Promise<T>): Promise<T> {
    const running = this.pending.get(name) as Promise<T> | undefined;
    if (running) return running;
    const promise = load().finally(() => this.pending.delete(name));
    this.pending.set(name, promise);
    return promise;
  }

  private unwrap(row: KeyRow): Buffer {
    const wrapping = row.wrappingKeyId ? this.installationKeys.get(row.wrappingKeyId) : undefined;
    if (!wrapping) {
      throw new Error(
        `Data key ${row.id} is wrapped with installation key "${row.wrappingKeyId}", which is not configured ` +
          `(KIM_PAYLOAD_KEYS / KIM_PAYLOAD_KEYS_FILE): keep old keys listed until \`npm run keys:rewrap\` has run.`,
      );
    }
    return unwrapDataKey(row.wrappedKey!, row.id, row.subject, wrapping);
  }

  /** The subject's active key, created on first use; null once its erasure has begun (retired or destroyed). */
  async keyForEncryption(subject: string): Promise<DataKey | null> {
    const cached = this.bySubject.get(subject);
    // A retired or destroyed key never comes back: that answer needs no refresh.
    if (cached && (cached.value === null || this.fresh(cached))) return cached.value;
    try {
      return await this.load(subject);
    } catch (error) {
      // Database briefly away: a key read a short while ago still encrypts. Never for long: it may have been retired
      // meanwhile, and the erasure waits only RETIRED_KEY_WAIT_MS before its last payloads. Beyond that the caller
      // retries (workflow task, activity) or answers 503 (API).
      if (cached && this.now() - cached.at < DATA_KEY_MAX_STALE_MS) return cached.value;
      throw error;
    }
  }

  private load(subject: string): Promise<DataKey | null> {
    return this.once(`subject:${subject}`, async () => {
      // Counted from before the read: what it returns may be older than the moment it arrives.
      const readAt = this.now();
      let row: KeyRow | null = await this.db.dataKey.findUnique({ where: { subject } });
      if (!row) {
        const id = `${DATA_KEY_PREFIX}${randomUUID()}`;
        const key = randomBytes(KEY_BYTES);
        // Two processes may create the first payload of a subject at once: one row wins, both use it.
        await this.db.dataKey.createMany({
          data: [{ id, subject, wrappedKey: new Uint8Array(wrapDataKey(key, id, subject, this.current)), wrappingKeyId: this.current.id }],
          skipDuplicates: true,
        });
        row = await this.db.dataKey.findUniqueOrThrow({ where: { subject } });
      }
      const value = row.retiredAt || row.destroyedAt || !row.wrappedKey ? null : { id: row.id, key: this.unwrap(row) };
      this.bySubject.set(subject, { value, at: readAt });
      if (value) this.byId.set(value.id, { value: value.key, at: readAt });
      return value;
    });
  }

  async keyForDecryption(id: string): Promise<Buffer> {
    const cached = this.byId.get(id);
    if (cached?.value === 'destroyed') throw new DataKeyDestroyedError(id);
    if (cached && this.fresh(cached)) return cached.value as Buffer;
    let value: Buffer | 'destroyed';
    try {
      value = await this.once(`id:${id}`, async () => {
        const row = await this.db.dataKey.findUnique({ where: { id } });
        if (!row) throw new Error(`Payload is encrypted with data key ${id}, which this installation does not know`);
        const result: Buffer | 'destroyed' = row.destroyedAt || !row.wrappedKey ? 'destroyed' : this.unwrap(row);
        this.byId.set(id, { value: result, at: this.now() });
        return result;
      });
    } catch (error) {
      // Database briefly away: a key read a moment ago still decrypts (never for long — it may have been destroyed).
      if (cached && this.now() - cached.at < 10 * DATA_KEY_CACHE_MS) return cached.value as Buffer;
      throw error;
    }
    if (value === 'destroyed') throw new DataKeyDestroyedError(id);
    return value;
  }

  private forget(subjects: string[]) {
    for (const subject of subjects) {
      const cached = this.bySubject.get(subject);
      if (cached?.value) this.byId.delete(cached.value.id);
      this.bySubject.set(subject, { value: null, at: this.now() });
    }
  }

  /** retireDataKeys, and this process forgets the keys at once. */
  async retire(subjects: string[], at = new Date()): Promise<void> {
    await retireDataKeys(this.db, subjects, at);
    this.forget(subjects);
  }

  /** destroyDataKeys, and this process forgets the keys at once. */
  async destroy(subjects: string[], reason: string, at = new Date()): Promise<string[]> {
    const ids = await destroyDataKeys(this.db, subjects, reason, at);
    this.forget(subjects);
    for (const id of ids) this.byId.set(id, { value: 'destroyed', at: this.now() });
    return ids;
  }
}

/** Erasure begins: the subjects' keys encrypt nothing new (they still decrypt). Idempotent. */
export async function retireDataKeys(db: Database, subjects: string[], at = new Date()): Promise<void> {
  if (subjects.length === 0) return;
  await db.dataKey.updateMany({ where: { subject: { in: subjects }, retiredAt: null }, data: { retiredAt: at } });
  // A subject that never had a key gets a retired placeholder, so none is created for it later.
  await db.dataKey.createMany({
    data: subjects.map((subject) => ({ id: `${DATA_KEY_PREFIX}${randomUUID()}`, subject, retiredAt: at })),
    skipDuplicates: true,
  });
}

/**
 * Crypto-erasure: deletes the wrapped keys; everything encrypted with them — in the engine, its backups, exports —
 * is unreadable from now on. Idempotent; returns the ids of the subjects' keys.
 */
export async function destroyDataKeys(db: Database, subjects: string[], reason: string, at = new Date()): Promise<string[]> {
  if (subjects.length === 0) return [];
  await retireDataKeys(db, subjects, at);
  await db.dataKey.updateMany({
    where: { subject: { in: subjects }, destroyedAt: null },
    data: { wrappedKey: null, wrappingKeyId: null, destroyedAt: at, destroyedReason: reason },
  });
  const rows = await db.dataKey.findMany({ where: { subject: { in: subjects } }, select: { id: true } });
  return rows.map((r) => r.id);
}

/**
 * Rotation of installation keys: re-wraps every live data key with the current (first) installation key, so an
 * old installation key is no longer needed for them. The payloads themselves are untouched (they are encrypted with
 * the data keys). Keys wrapped with an installation key that is not configured are left as they are and counted in
 * `notConfigured` (by key id), so the operator learns which old key must still be found.
 */
export async function rewrapDataKeys(
  db: Database,
  keys: PayloadKey[],
): Promise<{ rewrapped: number; current: string; notConfigured: Record<string, number> }> {
  const current = keys[0]!;
  const byId = new Map(keys.map((k) => [k.id, k]));
  let rewrapped = 0;
  const notConfigured: Record<string, number> = {};
  let after: string | undefined;
  for (;;) {
    const rows = await db.dataKey.findMany({
      where: { wrappedKey: { not: null }, wrappingKeyId: { not: current.id }, ...(after ? { id: { gt: after } } : {}) },
      orderBy: { id: 'asc' },
      take: 500,
    });
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.id;
    for (const row of rows) {
      const wrapping = row.wrappingKeyId ? byId.get(row.wrappingKeyId) : undefined;
      if (!wrapping) {
        const id = row.wrappingKeyId ?? '(none)';
        notConfigured[id] = (notConfigured[id] ?? 0) + 1;
        continue;
      }
      const plain = unwrapDataKey(row.wrappedKey!, row.id, row.subject, wrapping);
      // Only if nobody destroyed or re-wrapped it in between.
      const { count } = await db.dataKey.updateMany({
        where: { id: row.id, wrappingKeyId: row.wrappingKeyId, destroyedAt: null },
        data: { wrappedKey: new Uint8Array(wrapDataKey(plain, row.id, row.subject, current)), wrappingKeyId: current.id },
      });
      rewrapped += count;
    }
  }
  return { rewrapped, current: current.id, notConfigured };
}

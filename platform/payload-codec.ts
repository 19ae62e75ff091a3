// Encryption of workflow data: every payload the engine stores for KIM Casework (workflow inputs, updates, queries,
// results, activity inputs, failure details) is encrypted with AES-256-GCM before it leaves the process, so personal
// data is unreadable in the Temporal UI, the engine's database and its backups without the key.
//
// Two levels (envelope encryption): payloads of a case or handover workflow are encrypted with that workflow's own
// data key (platform/data-keys.ts; the codec learns the workflow from Temporal's serialization context), so
// destroying one key erases one case everywhere. Everything else — and a case's last payloads after its erasure has
// begun, which carry no personal data — is encrypted with the installation key directly.
//
// Format (the layout of Temporal's encryption samples, so a codec server built from them can decode it): metadata
// `encoding: binary/encrypted` and `encryption-key-id: <id>` (an installation key id, or a data key id `dk_…`);
// data = 12-byte random IV ‖ ciphertext ‖ 16-byte tag of the whole original Payload (its metadata included). Keys
// come from configuration: KIM_PAYLOAD_KEYS or KIM_PAYLOAD_KEYS_FILE, `id:base64key` comma-separated; the first
// encrypts (and wraps new data keys), all decrypt (rotation).
//
// Runs outside the workflow sandbox: pass it as `dataConverter` to Clients and Workers, never import it in workflows/.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { METADATA_ENCODING_KEY, type DataConverter, type Payload, type PayloadCodec, type SerializationContext } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { Database } from './database.js';
import { DATA_KEY_PREFIX, DataKeyStore, isDataKeySubject, type DataKeyResolver } from './data-keys.js';

// @temporalio/proto is CommonJS; Node's ESM loader only sees its default export.
const { temporal } = proto;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** Parses `id:base64key[,id:base64key…]` (commas or line breaks); errors name the entry, never key material. */
export function parsePayloadKeys(text: string, source: string): PayloadKey[] {
  const entries = text
    .split(/[,\n\r]+/)
    .map((e) => e.trim())
    .filter((e) => e !== '' && !e.startsWith('#'));
  if (entries.length === 0) throw new Error(`${source} contains no key (expected "id:base64key", comma-separated)`);
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon).trim() : '';
    const encoded = colon > 0 ? entry.slice(colon + 1).trim() : '';
    if (!KEY_ID.test(id)) throw new Error(`${source}, entry ${i + 1}: expected "id:base64key" with an id of letters, digits, . _ -`);
    if (id.startsWith(DATA_KEY_PREFIX)) throw new Error(`${source}: key id "${id}" must not start with "${DATA_KEY_PREFIX}" (reserved for per-case data keys)`);
    if (seen.has(id)) throw new Error(`${source}: key id "${id}" appears twice`);
    seen.add(id);
    const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
    if (key.length !== KEY_BYTES) throw new Error(`${source}: key "${id}" must be ${KEY_BYTES} bytes, base64-encoded (e.g. openssl rand -base64 32)`);
    return { id, key };
  });
}

/** A new random key entry (`id:base64key`). */
export function newPayloadKeyEntry(id: string): string {
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

export class PayloadEncryptionCodec implements PayloadCodec {
  /** The id of the key new payloads are encrypted with (the first configured). */
  readonly currentKeyId: string;
  private readonly keys: Map<string, Buffer>;

  /** Without `dataKeys` every payload uses the installation key (tools that replay plaintext fixtures). */
  constructor(
    keys: PayloadKey[],
    readonly dataKeys?: DataKeyResolver,
  ) {
    if (keys.length === 0) throw new Error('PayloadEncryptionCodec needs at least one key');
    this.currentKeyId = keys[0]!.id;
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** The key for a workflow's new payloads: its data key while it has an active one, else the installation key. */
  private async encryptionKey(context?: SerializationContext): Promise<{ id: string; key: Buffer }> {
    const workflowId = context?.workflowId;
    if (this.dataKeys && isDataKeySubject(workflowId)) {
      const dataKey = await this.dataKeys.keyForEncryption(workflowId);
      if (dataKey) return dataKey;
    }
    return { id: this.currentKeyId, key: this.keys.get(this.currentKeyId)! };
  }

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    if (payloads.length === 0) return payloads;
    const { id, key } = await this.encryptionKey(context);
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES); // never reused: a fresh IV per payload is what makes GCM safe
      const cipher = createCipheriv(ALGORITHM, key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: Buffer.from(id),
        },
        data,
      };
    });
  }

  private async decryptionKey(keyId: string): Promise<Buffer> {
    if (keyId.startsWith(DATA_KEY_PREFIX)) {
      if (!this.dataKeys) throw new Error(`Payload is encrypted with data key ${keyId}, but this process has no data key store`);
      return this.dataKeys.keyForDecryption(keyId);
    }
    const key = this.keys.get(keyId);
    if (!key) {
      throw new Error(
        `Payload is encrypted with key "${keyId}", which is not configured (KIM_PAYLOAD_KEYS / KIM_PAYLOAD_KEYS_FILE). ` +
          `Keep old keys listed after the current one until no workflow history uses them.`,
      );
    }
    return key;
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        // Histories written before encryption was switched on stay readable: their payloads pass unchanged.
        if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
        const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
        if (!keyId) throw new Error(`Encrypted payload without "${KEY_ID_METADATA}" metadata`);
        const key = await this.decryptionKey(keyId);
        const data = Buffer.from(payload.data ?? new Uint8Array());
        if (data.length < IV_BYTES + TAG_BYTES) throw new Error(`Encrypted payload (key "${keyId}") is truncated`);
        const decipher = createDecipheriv(ALGORITHM, key, data.subarray(0, IV_BYTES));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        let plain: Buffer;
        try {
          plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
        } catch {
          throw new Error(`Encrypted payload (key "${keyId}") failed authentication: altered, or the key "${keyId}" is not the one it was written with`);
        }
        return temporal.api.common.v1.Payload.decode(plain);
      }),
    );
  }
}

/** platform/failure-converter.cjs: failure messages and stack traces encoded (and so encrypted) too. Workflow bundles
 *  built ahead of time must be built with it (`bundleWorkflowCode({ workflowsPath, failureConverterPath })`). */
export const failureConverterPath = fileURLToPath(new URL('./failure-converter.cjs', import.meta.url));

/** The one data converter of a process: every Client and Worker gets this same object. */
export function payloadDataConverter(codec: PayloadCodec): DataConverter {
  return { payloadCodecs: [codec], failureConverterPath };
}

export interface PayloadKeySettings {
  /** KIM_PAYLOAD_KEYS */
  inline?: string;
  /** KIM_PAYLOAD_KEYS_FILE (a secret mount) */
  file?: string;
}

export interface LoadedPayloadKeys {
  keys: PayloadKey[];
  /** Where the keys came from, for the start-up output (never the keys). */
  source: string;
  /** Set when this call created the development key file. */
  generatedFile?: string;
}

export interface PayloadEncryption extends LoadedPayloadKeys {
  codec: PayloadEncryptionCodec;
  dataConverter: DataConverter;
  /** The per-case data keys (absent without a database): the activities retire and destroy keys through it. */
  dataKeys?: DataKeyStore;
}

/** The development key file in the data folder (`var/payload-keys` by default). */
export function devKeyFile(dataDir: string): string {
  return join(dataDir, 'payload-keys');
}

/**
 * Keys from KIM_PAYLOAD_KEYS or KIM_PAYLOAD_KEYS_FILE. Neither set: in production an error (a generated key nobody
 * backs up would make every case history unreadable after the data folder is lost); in development the key file in
 * the data folder, created once when `generate` is allowed.
 */
export function loadPayloadKeys(
  config: { nodeEnv: string; dataDir: string; payloadKeys: PayloadKeySettings },
  options: { generate?: boolean } = {},
): LoadedPayloadKeys {
  const { inline, file } = config.payloadKeys;
  let keys: PayloadKey[];
  let source: string;
  let generatedFile: string | undefined;
  if (inline && file) {
    throw new Error('Set only one of KIM_PAYLOAD_KEYS and KIM_PAYLOAD_KEYS_FILE');
  } else if (inline) {
    keys = parsePayloadKeys(inline, 'KIM_PAYLOAD_KEYS');
    source = 'KIM_PAYLOAD_KEYS';
  } else if (file) {
    source = `KIM_PAYLOAD_KEYS_FILE (${file})`;
    keys = parsePayloadKeys(readFileSync(file, 'utf8'), source);
  } else if (config.nodeEnv === 'production') {
    throw new Error(
      'No key to encrypt workflow data: with NODE_ENV=production set KIM_PAYLOAD_KEYS or KIM_PAYLOAD_KEYS_FILE ' +
        '("id:base64key", 32-byte key, e.g. "2025-01:$(openssl rand -base64 32)") and keep a backup of it.',
    );
  } else {
    const path = devKeyFile(config.dataDir);
    source = path;
    let content: string | undefined;
    try {
      content = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (!options.generate) throw new Error(`No workflow data key: set KIM_PAYLOAD_KEYS or create ${path} (npm start does so)`);
      mkdirSync(config.dataDir, { recursive: true });
      const entry = `${newPayloadKeyEntry(`dev-${new Date().toISOString().slice(0, 10)}`)}\n`;
      try {
        // 'wx': a worker and `npm start` starting together must end up with the same key, not one each.
        writeFileSync(path, entry, { mode: 0o600, flag: 'wx' });
        generatedFile = path;
        content = entry;
      } catch (writeError) {
        if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError;
        content = readFileSync(path, 'utf8');
      }
    }
    keys = parsePayloadKeys(content, path);
  }
  return { keys, source, ...(generatedFile ? { generatedFile } : {}) };
}

/**
 * The process's payload encryption from its keys: with the database, case and handover payloads get per-case data
 * keys (one DataKeyStore per process — pass `dataKeys` to the worker's activities as well); without, the
 * installation key only (tools replaying plaintext fixtures).
 */
export function payloadEncryption(loaded: LoadedPayloadKeys, db?: Database): PayloadEncryption {
  const dataKeys = db ? new DataKeyStore(db, loaded.keys) : undefined;
  const codec = new PayloadEncryptionCodec(loaded.keys, dataKeys);
  return { ...loaded, codec, dataConverter: payloadDataConverter(codec), ...(dataKeys ? { dataKeys } : {}) };
}

/** loadPayloadKeys + payloadEncryption in one step. */
export function loadPayloadEncryption(
  config: { nodeEnv: string; dataDir: string; payloadKeys: PayloadKeySettings },
  options: { generate?: boolean; db?: Database } = {},
): PayloadEncryption {
  return payloadEncryption(loadPayloadKeys(config, options), options.db);
}

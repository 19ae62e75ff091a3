// The keyed hashes of the duplicate check across providers (issue 16; what is hashed: domain/person-match.ts).
// HMAC-SHA-256 with the installation's person-match key: a random 32-byte key kept like the per-case data keys
// (platform/data-keys.ts: a DataKey row of its own subject, wrapped with the installation key, re-wrapped by
// `npm run keys:rewrap`), so rotating the installation keys does not change the hashes, and a database dump without
// the installation key cannot be searched for a name by trying names. The key is never retired or destroyed by an
// erasure (its subject is no workflow), and nothing but these hashes is made with it.
import { createHmac } from 'node:crypto';
import { personMatchStrings, type MatchPerson } from '../domain/person-match.js';
import type { DataKeyResolver } from './data-keys.js';

/** The DataKey subject of the person-match key: no workflow id, so no payload is ever encrypted with it. */
export const PERSON_MATCH_KEY_SUBJECT = 'person-match';

/** The installation's person-match key (created on first use); null if it was ever retired (it never is). */
export async function personMatchKey(keys: DataKeyResolver): Promise<Buffer | null> {
  return (await keys.keyForEncryption(PERSON_MATCH_KEY_SUBJECT))?.key ?? null;
}

/** The hashes (lowercase hex) of a person's match strings, distinct. */
export function personMatchHashes(key: Buffer, person: MatchPerson): string[] {
  return [...new Set(personMatchStrings(person).map((s) => createHmac('sha256', key).update(s, 'utf8').digest('hex')))];
}

/** The hashes of a person with this process's keys; none without data keys (tools without encryption skip the check). */
export async function matchHashesOf(keys: DataKeyResolver | undefined, person: MatchPerson): Promise<string[]> {
  const key = keys ? await personMatchKey(keys) : null;
  return key ? personMatchHashes(key, person) : [];
}

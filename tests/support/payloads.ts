// Reading what the engine stores: every encrypted payload of a raw history, and their text once decrypted.
import type { Payload, PayloadCodec } from '@temporalio/common';
import { KEY_ID_METADATA } from '../../platform/payload-codec.js';

/** Every encrypted payload (it names its key) anywhere in a raw history or event; search attributes are not encoded. */
export function encodedPayloads(value: unknown): Payload[] {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return [];
  const r = value as Record<string, unknown>;
  if (r.data instanceof Uint8Array && r.metadata && typeof r.metadata === 'object' && (r.metadata as Record<string, unknown>)[KEY_ID_METADATA]) {
    return [r as Payload];
  }
  return Object.values(r).flatMap(encodedPayloads);
}

/** The id of the key a payload is encrypted with. */
export function keyIdOf(payload: Payload): string {
  return Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? []).toString();
}

/** The payloads decrypted by `codec`, as one text (JSON payloads are text). */
export async function decodedText(codec: PayloadCodec, payloads: Payload[]): Promise<string> {
  return (await codec.decode(payloads)).map((p) => Buffer.from(p.data ?? []).toString()).join('\n');
}

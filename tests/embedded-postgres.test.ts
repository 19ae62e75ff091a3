// The embedded PostgreSQL under concurrent clients: parameterised queries from many connections at once must not
// mix their extended-protocol messages (platform/pglite-queue.ts). Before that fix about a quarter of these failed
// with "unnamed prepared statement does not exist" / "portal does not exist".
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../platform/embedded-postgres.js';

let embedded: EmbeddedPostgres;
beforeAll(async () => {
  embedded = await startEmbeddedPostgres();
});
afterAll(async () => {
  await embedded?.stop();
});

describe('embedded PostgreSQL with concurrent connections', () => {
  it('answers 1,000 interleaved parameterised queries and transactions from 10 connections correctly', async () => {
    const pool = new pg.Pool({ connectionString: embedded.url, max: 10 });
    try {
      await pool.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
      const results = await Promise.allSettled(
        Array.from({ length: 1000 }, async (_, i) => {
          if (i % 10 === 0) {
            const client = await pool.connect();
            try {
              await client.query('BEGIN');
              await client.query('INSERT INTO t (id, v) VALUES ($1, $2)', [i, `v${i}`]);
              await client.query('COMMIT');
            } finally {
              client.release();
            }
            return i;
          }
          const r =
            i % 2
              ? await pool.query('SELECT $1::int + $2::int AS n', [i, 1])
              : await pool.query('SELECT $1::int + $2::int + $3::int AS n', [i, 0, 1]);
          return Number(r.rows[0].n) - 1;
        }),
      );
      const failed = results.filter((r) => r.status === 'rejected');
      expect(failed.map((f) => String((f as PromiseRejectedResult).reason)).slice(0, 3)).toEqual([]);
      expect(results.map((r) => (r as PromiseFulfilledResult<number>).value)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
      expect(Number((await pool.query('SELECT count(*) AS c FROM t')).rows[0].c)).toBe(100);
    } finally {
      await pool.end();
    }
  });
});

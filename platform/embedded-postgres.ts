// Embedded PostgreSQL for machines without a database server: PGlite (PostgreSQL 17 compiled to wasm)
// served over the PostgreSQL wire protocol, so the app talks to it through the same @prisma/adapter-pg
// as to a production server. One process per data folder.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { serialiseExtendedProtocol } from './pglite-queue.js';

export interface EmbeddedPostgres {
  /** Connection string for pg / @prisma/adapter-pg. PGlite ignores the database name. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  /** Fault drills: closes the port and every open connection (clients see ECONNREFUSED/ECONNRESET, as in a real
   *  outage); the database itself stays in memory. resume() listens on the same port again. */
  pause(): Promise<void>;
  resume(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Data folder; omit for an in-memory database (tests, shadow databases). */
  dataDir?: string;
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port?: number;
  /** In-memory only: start from this data folder tarball (PGlite dumpDataDir) instead of an empty database, e.g. a
   *  migrated and seeded template — seconds faster than initdb plus migrations (the fault drills). */
  loadDataDir?: Blob;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = options.dataDir
    ? new PGlite(options.dataDir)
    : options.loadDataDir
      ? new PGlite({ loadDataDir: options.loadDataDir })
      : new PGlite();
  await db.waitReady;
  // The default of one connection would serialise the app's pool, the worker and migrations onto one socket.
  const listen = async (port: number) => {
    const s = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 64 });
    serialiseExtendedProtocol(s);
    await s.start();
    return s;
  };
  let server: PGLiteSocketServer | undefined;
  try {
    server = await listen(options.port ?? 0);
  } catch (error) {
    await db.close();
    throw error;
  }
  const [, portText] = server.getServerConn().split(':');
  const port = Number(portText);
  let stopped = false;
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    port,
    async pause() {
      const s = server;
      server = undefined;
      await s?.stop();
    },
    async resume() {
      if (stopped || server) return;
      server = await listen(port);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server?.stop();
      // Closing PGlite flushes its data folder; skipping it risks a corrupt database on the next start.
      await db.close();
    },
  };
}

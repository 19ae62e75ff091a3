// Shared harness (harness/): helpers that tests, benchmarks, drills and the history-recording scripts share. No vitest here.
// The HTTP app (api/app.ts createApp()) listening on a free loopback port, and closed again without lingering sockets.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface ServedApp {
  server: Server;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** Drops open (keep-alive) connections and stops listening. */
  close(): Promise<void>;
}

/** Listens with `app` on 127.0.0.1 and a free port. */
export async function serveApp(app: Express): Promise<ServedApp> {
  const server = await new Promise<Server>((resolve, reject) => {
    // Express 5 calls back with the error when listening fails.
    const s = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  return {
    server,
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// `npm start` as a user runs it: everything embedded, stopped with Ctrl-C, started again with the data
// still there; with DATABASE_URL/TEMPORAL_ADDRESS it starts neither; a failing migration stops start-up.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { deployMigrations, diffDatabaseToSchema } from '../platform/migrations.js';
import { repoRoot } from '../platform/paths.js';
import { login } from '../harness/auth.js';
import { createTestDatabase } from '../harness/database.js';
import { freePort, startApp, type AppProcess } from '../harness/processes.js';

const running: AppProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const app of running) await app.stop('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

function processesUsing(path: string): string {
  try {
    return execFileSync('pgrep', ['-af', path], { encoding: 'utf8' }).trim();
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
}

async function json(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as any };
}

describe('npm start with nothing running beforehand', () => {
  it('starts the embedded database and the Temporal dev server, stops cleanly and keeps the data', async () => {
    const dataDir = tempDir('kim-start-');
    const env = {
      KIM_DATA_DIR: dataDir,
      PORT: String(await freePort()),
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      EMBEDDED_DB_PORT: String(await freePort()),
      // The living demo (made in the background on an empty database) has its own test, tests/demo-data.test.ts, and
      // is smoke-tested with npm start in the README; here it would only load the embedded database meanwhile.
      KIM_DEMO_DATA: 'off',
    };
    const base = `http://127.0.0.1:${env.PORT}`;

    const first = startApp(env);
    running.push(first);
    await first.waitFor(/Beenden mit Strg\+C/);
    expect(first.output()).toContain('cm.caritas-eifel@kim.example');
    expect(first.output()).toContain(`Temporal-UI:    http://localhost:${env.TEMPORAL_UI_PORT}`);
    expect((await fetch(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}/`)).status).toBe(200);
    // The UI decrypts payloads through the app's codec server (api/codec-server.ts).
    const uiSettings = (await (await fetch(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string } };
    expect(uiSettings.Codec?.Endpoint).toBe(`http://localhost:${env.PORT}/api/v1/codec`);
    expect(await json(`${base}/healthz`)).toEqual({ status: 200, body: { temporal: 'ok', database: 'ok' } });

    const session = await login(base, 'koordination@kim.example', 'kim-demo-2025');
    const created = await json(`${base}/api/v1/cases`, {
      method: 'POST',
      headers: session.headers(),
      body: JSON.stringify({
        person: { givenName: 'Olena', familyName: 'Kovalenko', birthDate: '1979-09-30', municipality: 'Euskirchen', languages: ['uk'] },
        source: 'outreach',
      }),
    });
    expect(created.status).toBe(201);

    expect(await first.stop('SIGINT')).toBe(0);
    expect(first.output()).toContain('KIM Casework wird beendet');
    expect(processesUsing(join(dataDir, 'temporal.db'))).toBe('');

    const second = startApp(env);
    running.push(second);
    await second.waitFor(/Beenden mit Strg\+C/);
    // Demo accounts go only into an empty database.
    expect(second.output()).not.toContain('Demo-Zugänge');
    // The session lives in PostgreSQL, so it survives the restart as well.
    const again = await json(`${base}/api/v1/cases/${created.body.id}`, { headers: session.headers(false) });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ state: 'intake', stateSource: 'workflow', organisationId: 'caritas-euskirchen' });
    expect(again.body.person.familyName).toBe('Kovalenko');
    expect(await second.stop('SIGTERM')).toBe(0);
    expect(processesUsing(join(dataDir, 'temporal.db'))).toBe('');
  });
});

describe('npm start stopped while it still creates the demo data', () => {
  it('stops in order on Ctrl-C: the demo data interrupted, every process ended, exit code 0', async () => {
    const dataDir = tempDir('kim-start-demo-');
    const app = startApp({
      KIM_DATA_DIR: dataDir,
      PORT: String(await freePort()),
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      EMBEDDED_DB_PORT: String(await freePort()),
    });
    running.push(app);
    // In the middle of the demo: cases made through the running workflows, more to come.
    await app.waitFor(/Demo-Daten: 10 von \d+ Fällen angelegt/);
    // Before, the SDK's own SIGINT handling stopped the worker the demo's running case waited for: this hung.
    expect(await app.stop('SIGINT')).toBe(0);
    expect(app.output()).toMatch(/Demo-Daten: beim Beenden unterbrochen|Demo-Daten: \d+ Fälle und \d+ Übergaben angelegt/);
    expect(app.output()).toContain('KIM Casework wird beendet');
    expect(processesUsing(join(dataDir, 'temporal.db'))).toBe('');
  });
});

describe('npm start against given services', () => {
  it('uses DATABASE_URL and TEMPORAL_ADDRESS and starts neither server itself', async () => {
    const database = await createTestDatabase();
    try {
      const port = String(await freePort());
      const app = startApp({
        DATABASE_URL: database.url,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_TASK_QUEUE: 'kim-start-test',
        PORT: port,
        KIM_DATA_DIR: tempDir('kim-given-'),
        NODE_ENV: 'production',
      });
      running.push(app);
      await app.waitFor(/Beenden mit Strg\+C/);
      expect(app.output()).toContain('Datenbank: DATABASE_URL');
      expect(app.output()).not.toContain('Temporal-UI');
      expect(app.output()).not.toContain('Demo-Zugänge');
      expect((await json(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect(await app.stop()).toBe(0);
    } finally {
      await database.drop();
    }
  });

  it('stops start-up with a clear error when a migration fails, leaving the database as it was', async () => {
    const database = await createTestDatabase();
    try {
      await deployMigrations({ databaseUrl: database.url });
      const migrationsDir = tempDir('kim-bad-migrations-');
      cpSync(join(repoRoot, 'prisma', 'migrations'), migrationsDir, { recursive: true });
      const bad = join(migrationsDir, '29990101000000_broken');
      mkdirSync(bad);
      writeFileSync(join(bad, 'migration.sql'), 'CREATE TABLE "Half" ("id" TEXT);\nALTER TABLE "NoSuchTable" ADD COLUMN "x" INT;\n');
      const port = String(await freePort());
      const app = startApp({
        DATABASE_URL: database.url,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        KIM_MIGRATIONS_DIR: migrationsDir,
        PORT: port,
        KIM_DATA_DIR: tempDir('kim-bad-'),
      });
      running.push(app);
      expect(await app.exited).toBe(1);
      expect(app.output()).toMatch(/Start fehlgeschlagen/);
      expect(app.output()).toContain('29990101000000_broken');
      expect(app.output()).not.toContain('KIM Casework ist bereit');

      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const half = await client.query(`SELECT to_regclass('"Half"') AS t`);
        expect(half.rows[0].t).toBeNull();
      } finally {
        await client.end();
      }
      expect(await diffDatabaseToSchema({ databaseUrl: database.url })).toBe('');
    } finally {
      await database.drop();
    }
  });

  it('a second npm start on the same data folder refuses with a clear message and leaves the first running', async () => {
    const database = await createTestDatabase();
    try {
      const dataDir = tempDir('kim-lock-');
      const given = { DATABASE_URL: database.url, TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: 'kim-start-lock-test', KIM_DATA_DIR: dataDir, NODE_ENV: 'production' };
      const port = String(await freePort());
      const first = startApp({ ...given, PORT: port, SMTP_SINK_PORT: String(await freePort()) });
      running.push(first);
      await first.waitFor(/Beenden mit Strg\+C/);
      const lockFile = join(dataDir, 'kim.lock');
      expect(readFileSync(lockFile, 'utf8')).toBe(String(first.child.pid));

      const second = startApp({ ...given, PORT: String(await freePort()), SMTP_SINK_PORT: String(await freePort()) });
      running.push(second);
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain(`KIM Casework läuft bereits (Prozess ${first.child.pid})`);
      expect(second.output()).not.toContain('KIM Casework ist bereit');
      // The refused start took nothing from the first: its lock, its HTTP server.
      expect(readFileSync(lockFile, 'utf8')).toBe(String(first.child.pid));
      expect((await json(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

      expect(await first.stop()).toBe(0);
      expect(existsSync(lockFile)).toBe(false);
    } finally {
      await database.drop();
    }
  });

  it('says which port is taken and which variable moves it, and exits without claiming to be ready', async () => {
    const database = await createTestDatabase();
    const blocker = createServer();
    try {
      const port = await freePort();
      await new Promise<void>((resolve) => blocker.listen(port, resolve));
      const app = startApp({
        DATABASE_URL: database.url,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_TASK_QUEUE: 'kim-start-port-test',
        PORT: String(port),
        KIM_DATA_DIR: tempDir('kim-port-'),
        NODE_ENV: 'production',
      });
      running.push(app);
      expect(await app.exited).toBe(1);
      expect(app.output()).toContain(`Port ${port} ist bereits belegt`);
      expect(app.output()).toContain('PORT=');
      expect(app.output()).not.toContain('KIM Casework ist bereit');
    } finally {
      blocker.close();
      await database.drop();
    }
  });
});

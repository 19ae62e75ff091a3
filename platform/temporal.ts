// Temporal: connection options for a production cluster or the local dev server, search attribute
// registration, and the dev server process that `npm start` runs when no TEMPORAL_ADDRESS is given.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { TypedSearchAttributes, type SearchAttributeType } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { TemporalSettings } from './config.js';

// @temporalio/proto is CommonJS; Node's ESM loader only sees its default export.
const { temporal } = proto;

/** A search attribute key as made by defineSearchAttributeKey. */
export interface SearchAttributeSpec {
  name: string;
  type: SearchAttributeType;
}

export function connectionOptions(settings: TemporalSettings, address: string): ConnectionOptions {
  const read = (file?: string) => (file ? readFileSync(file) : undefined);
  const cert = read(settings.clientCertPath);
  const key = read(settings.clientKeyPath);
  return {
    address,
    apiKey: settings.apiKey,
    tls: settings.tls
      ? {
          serverRootCACertificate: read(settings.serverRootCaCertPath),
          clientCertPair: cert && key ? { crt: cert, key } : undefined,
        }
      : undefined,
  };
}

function indexedValueType(spec: SearchAttributeSpec): proto.temporal.api.enums.v1.IndexedValueType {
  const name = `INDEXED_VALUE_TYPE_${TypedSearchAttributes.toMetadataType(spec.type).toUpperCase()}`;
  return temporal.api.enums.v1.IndexedValueType[name as keyof typeof temporal.api.enums.v1.IndexedValueType];
}

/** Registers custom search attributes (the time-skipping test server knows none until told). */
export async function registerSearchAttributes(connection: Connection, namespace: string, keys: SearchAttributeSpec[]): Promise<void> {
  if (keys.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(keys.map((k) => [k.name, indexedValueType(k)])),
  });
}

/** Adds missing custom search attributes on an existing cluster (a no-op when they all exist). */
export async function ensureSearchAttributes(connection: Connection, namespace: string, keys: SearchAttributeSpec[]): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  await registerSearchAttributes(
    connection,
    namespace,
    keys.filter((k) => !(k.name in (existing.customAttributes ?? {}))),
  );
}

export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  executable: string;
  dbFilename: string;
  port: number;
  uiPort: number;
  namespace: string;
  searchAttributes: SearchAttributeSpec[];
  /** Remote codec endpoint the web UI decrypts payloads with (api/codec-server.ts). */
  uiCodecEndpoint?: string;
  log?: (line: string) => void;
}

/** Runs `temporal server start-dev` with persistence in dbFilename and waits until it answers. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--db-filename',
    options.dbFilename,
    '--namespace',
    options.namespace,
    '--log-level',
    'warn',
  ];
  if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  for (const key of options.searchAttributes) {
    args.push('--search-attribute', `${key.name}=${TypedSearchAttributes.toMetadataType(key.type)}`);
  }
  const child: ChildProcess = spawn(options.executable, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output.push(text);
    if (output.length > 50) output.shift();
    options.log?.(text.trimEnd());
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `127.0.0.1:${options.port}`;

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`Temporal dev server exited with code ${child.exitCode}:\n${output.join('')}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        await connection.workflowService.describeNamespace({ namespace: options.namespace });
      } finally {
        await connection.close();
      }
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`Temporal dev server did not answer on ${address} within 60 s: ${String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
  // localhost, not 127.0.0.1: the same site as the app (http://localhost:PORT), so the browser sends the KIM session
  // cookie along with the UI's codec requests.
  return { address, uiUrl: `http://localhost:${options.uiPort}`, stop };
}

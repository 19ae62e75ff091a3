// All configuration comes from the environment, with defaults that make `npm start` work on a laptop.
import { join } from 'node:path';
import type { PayloadKeySettings } from './payload-codec.js';
import { repoRoot } from './paths.js';

export interface TemporalSettings {
  /** host:port of an existing Temporal frontend; unset → `npm start` runs the dev server itself. */
  address?: string;
  namespace: string;
  taskQueue: string;
  /** TLS for a production cluster: on when certificates or an API key are given, or TEMPORAL_TLS=true. */
  tls: boolean;
  clientCertPath?: string;
  clientKeyPath?: string;
  serverRootCaCertPath?: string;
  apiKey?: string;
  /** Ports of the dev server started by `npm start`. */
  devServerPort: number;
  devUiPort: number;
}

/** E-mail: SMTP relay of the installation, or (unset) the local SMTP sink that `npm start` runs. */
export interface MailSettings {
  /** SMTP_HOST unset → no relay: `npm start` runs the local sink, `npm run worker` sends to it. */
  smtp?: { host: string; port: number; secure: boolean; user?: string; password?: string };
  from: string;
  /** Address(es) of KIM coordination, comma-separated; unset → every active coordinator's e-mail. */
  coordinationEmail?: string;
  /** Port of the local SMTP sink on 127.0.0.1. */
  sinkPort: number;
  /** Whether SMTP_SINK_PORT was set (then a taken port is an error, not a reason to pick another). */
  sinkPortExplicit: boolean;
  /** Base of the links in mails (the app as staff reach it). */
  appUrl: string;
}

export interface AppConfig {
  nodeEnv: string;
  port: number;
  /** Interface the HTTP server listens on: loopback unless HOST says otherwise (e.g. `0.0.0.0` behind a proxy). */
  host: string;
  /** Express `trust proxy` (TRUST_PROXY): which proxies' X-Forwarded-* headers count; unset → none. */
  trustProxy?: string | number | boolean;
  dataDir: string;
  /** Unset → embedded PostgreSQL (PGlite) with its data in `${dataDir}/pgdata`. */
  databaseUrl?: string;
  embeddedDatabasePort: number;
  /** Only to point start-up at another migrations folder (tests of a failing migration). */
  migrationsDir?: string;
  demoPassword: string;
  temporal: TemporalSettings;
  mail: MailSettings;
  /** Keys that encrypt workflow data (platform/payload-codec.ts); neither set → development key file in dataDir. */
  payloadKeys: PayloadKeySettings;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${name} must be a port number (0–65535), got "${raw}"`);
  }
  return value;
}

/** TRUST_PROXY as Express takes it: `true`/`false`, a hop count, or addresses/subnets/`loopback` (comma-separated). */
export function trustProxySetting(raw: string | undefined): string | number | boolean | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

function flag(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = integer(env, 'PORT', 3000);
  const smtpSecure = flag(env.SMTP_SECURE);
  const apiKey = env.TEMPORAL_API_KEY || undefined;
  const clientCertPath = env.TEMPORAL_TLS_CERT || undefined;
  const clientKeyPath = env.TEMPORAL_TLS_KEY || undefined;
  return {
    nodeEnv: env.NODE_ENV ?? 'development',
    port,
    host: env.HOST?.trim() || '127.0.0.1',
    ...(trustProxySetting(env.TRUST_PROXY) !== undefined ? { trustProxy: trustProxySetting(env.TRUST_PROXY) } : {}),
    dataDir: env.KIM_DATA_DIR || join(repoRoot, 'var'),
    databaseUrl: env.DATABASE_URL || undefined,
    embeddedDatabasePort: integer(env, 'EMBEDDED_DB_PORT', 54329),
    migrationsDir: env.KIM_MIGRATIONS_DIR || undefined,
    demoPassword: env.DEMO_PASSWORD || 'kim-demo-2025',
    temporal: {
      address: env.TEMPORAL_ADDRESS || undefined,
      namespace: env.TEMPORAL_NAMESPACE || 'default',
      taskQueue: env.TEMPORAL_TASK_QUEUE || 'kim-casework',
      tls: flag(env.TEMPORAL_TLS) || Boolean(apiKey || clientCertPath),
      clientCertPath,
      clientKeyPath,
      serverRootCaCertPath: env.TEMPORAL_TLS_CA || undefined,
      apiKey,
      devServerPort: integer(env, 'TEMPORAL_DEV_PORT', 7233),
      devUiPort: integer(env, 'TEMPORAL_UI_PORT', 8233),
    },
    mail: {
      smtp: env.SMTP_HOST
        ? {
            host: env.SMTP_HOST,
            // 465 is SMTP over TLS; 587 submission with STARTTLS.
            port: integer(env, 'SMTP_PORT', smtpSecure ? 465 : 587),
            secure: smtpSecure,
            user: env.SMTP_USER || undefined,
            password: env.SMTP_PASSWORD || undefined,
          }
        : undefined,
      from: env.MAIL_FROM || 'KIM Casework <kim@kreis-euskirchen.example>',
      coordinationEmail: env.COORDINATION_EMAIL || undefined,
      sinkPort: integer(env, 'SMTP_SINK_PORT', 2525),
      sinkPortExplicit: Boolean(env.SMTP_SINK_PORT),
      appUrl: (env.APP_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    },
    payloadKeys: { inline: env.KIM_PAYLOAD_KEYS || undefined, file: env.KIM_PAYLOAD_KEYS_FILE || undefined },
  };
}

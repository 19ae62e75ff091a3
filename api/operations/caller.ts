// Who is calling an operation, independent of the door they came through (JSON route, page, Temporal UI codec
// endpoint): the signed-in user, the channel for the access log, and the purpose they stated.
import type { Client } from '@temporalio/client';
import type { ActorRole } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';

export interface AuthenticatedUser {
  id: string;
  email: string;
  name: string;
  role: ActorRole;
  organisationId: string;
  via: 'session' | 'token';
  /** A token with scope `read`: only GET/HEAD requests (api/http/authentication.ts). */
  readOnly?: boolean;
}

export type Channel = 'api' | 'page' | 'temporal_ui';

export interface Caller {
  user: AuthenticatedUser;
  channel: Channel;
  /** The purpose the caller stated (header X-Purpose or ?purpose=), trimmed; staff work is the default. */
  purpose: string;
}

/** What every operation may use: the read model, the engine, and the task queue new workflows start on. */
export interface OperationDeps {
  db: Database;
  temporal: Client;
  taskQueue: string;
}

export const DEFAULT_PURPOSE = 'Fallbearbeitung';

export function statedPurpose(value: string | undefined): string {
  return (value ?? '').trim().slice(0, 200) || DEFAULT_PURPOSE;
}

/** The workflow-side actor of a caller (what Updates carry). */
export function actorOf(user: AuthenticatedUser) {
  return { id: user.id, role: user.role, organisationId: user.organisationId };
}

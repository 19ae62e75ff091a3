// The case worker: runs the workflows of this project and their activities on one task queue.
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities/index.js';
import type { DataKeyStore } from './platform/data-keys.js';
import type { Database } from './platform/database.js';
import type { Mailer } from './platform/mailer.js';

export const workflowsPath = new URL('./workflows/index.ts', import.meta.url).pathname;

export interface CaseWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Database;
  /** The process's one mailer (SMTP relay or the local sink): the worker mails the notification outbox. */
  mailer: Mailer;
  coordinationEmail?: string;
  /** A pre-built bundle (tests build it once); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** The process's data converter with the payload encryption codec (platform/payload-codec.ts), the same object its
   *  Client uses. Only tools whose client also has none (bench) leave it out; their payloads stay plaintext. */
  dataConverter?: WorkerOptions['dataConverter'];
  /** The per-case data keys behind that codec (PayloadEncryption.dataKeys): the retention activities retire and
   *  destroy keys through it. */
  dataKeys?: DataKeyStore;
}

export async function createCaseWorker(options: CaseWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities({
      db: options.db,
      mailer: options.mailer,
      coordinationEmail: options.coordinationEmail,
      ...(options.dataKeys ? { dataKeys: options.dataKeys } : {}),
    }),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
  });
}

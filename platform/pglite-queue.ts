// pglite-socket runs every client's protocol messages through one PGlite session, one message at a time, and only
// keeps a client's messages together inside an explicit transaction. The extended query protocol (Parse, Bind,
// Describe, Execute … Sync — what pg and Prisma send for every parameterised query) uses the session's unnamed
// statement and portal, so another client's Parse arriving between them breaks both queries ("unnamed prepared
// statement does not exist", "bind message supplies 3 parameters …"). This keeps one client's batch together until
// its Sync, on top of the transaction rule.
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
  onData: (data: Uint8Array) => void;
}

interface QueueInternals {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  db: {
    isInTransaction(): boolean;
    runExclusive<T>(fn: () => Promise<T>): Promise<T>;
    execProtocolRawStream(message: Uint8Array, options: { onRawData: (data: Uint8Array) => void }): Promise<void>;
  };
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

/** Parse, Bind, Describe, Execute, Close, Flush: parts of a batch that ends with Sync ('S'). */
const BATCH_PARTS = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]);

export function serialiseExtendedProtocol(server: PGLiteSocketServer): void {
  const queue = (server as unknown as { queryQueue: QueueInternals }).queryQueue;
  if (!queue || typeof queue.processQueue !== 'function' || !Array.isArray(queue.queue)) {
    throw new Error('pglite-socket internals changed: review platform/pglite-queue.ts');
  }
  /** The client whose extended-protocol batch has started and not yet reached Sync. */
  let batchOwner: number | null = null;

  const clear = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId: number) => {
    if (batchOwner === handlerId) batchOwner = null;
    clear(handlerId);
  };

  queue.processQueue = async function processQueue(this: QueueInternals) {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const owner = batchOwner ?? (this.db.isInTransaction() ? this.lastHandlerId : null);
        const index = owner === null ? 0 : this.queue.findIndex((m) => m.handlerId === owner);
        // The owner's next message has not arrived yet: wait for it (enqueue calls processQueue again).
        if (index === -1) break;
        const item = this.queue.splice(index, 1)[0]!;
        try {
          await this.db.runExclusive(() => this.db.execProtocolRawStream(item.message, { onRawData: (data) => item.onData(data) }));
        } catch (error) {
          item.reject(error);
          continue;
        }
        const type = item.message[0];
        // Anything else (Sync, a simple query, the startup message, Terminate) ends or is no batch.
        batchOwner = type !== undefined && BATCH_PARTS.has(type) ? item.handlerId : null;
        this.lastHandlerId = item.handlerId;
        item.resolve(item.message.length);
      }
    } finally {
      this.processing = false;
    }
  }.bind(queue);
}

// The wasm schema engine: loaded once per process, its timers tracked, its panics recorded.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as engineGlue from '@prisma/schema-engine-wasm/schema_engine_bg';

type Glue = typeof engineGlue;

// The WebAssembly global, typed here because the project's lib settings (ES2023, no DOM) leave it out.
interface WasmModule {
  readonly __brand: 'WebAssembly.Module';
}
interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: Record<string, Record<string, unknown>>): Promise<{ exports: Record<string, unknown> }>;
  Module: {
    imports(module: WasmModule): Array<{ module: string; name: string; kind: string }>;
    exports(module: WasmModule): Array<{ name: string; kind: string }>;
  };
  RuntimeError: new (message?: string) => Error;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

// The engine sets timers through this import (e.g. the 10 s timeout racing `pg_advisory_lock` in
// applyMigrations) but has no way to clear them, and `free()` does not either: one pending timer keeps
// a script alive for 10 s after it is done. Every timer goes through here and is cleared when the last
// open engine is closed (the engine that set it is gone by then, so its callback must not run anyway).
const pendingTimers = new Set<NodeJS.Timeout>();
let openEngines = 0;

function trackedSetTimeout(callback: () => void, ms: number): NodeJS.Timeout {
  const timer = setTimeout(() => {
    pendingTimers.delete(timer);
    callback();
  }, ms >>> 0);
  pendingTimers.add(timer);
  return timer;
}

/** An engine is being opened: its timers stay tracked until the last open engine is closed. */
export function acquireEngineSlot(): void {
  openEngines += 1;
}

export function releaseEngineSlot(): void {
  openEngines -= 1;
  if (openEngines > 0) return;
  for (const timer of pendingTimers) clearTimeout(timer);
  pendingTimers.clear();
}

/** Counts for tests and diagnostics: open engines and engine timers still pending. */
export function migrationEngineResources(): { engines: number; timers: number } {
  return { engines: openEngines, timers: pendingTimers.size };
}

interface PanicRegistry {
  set_message(message: string): void;
}
let lastPanic: string | undefined;
let enginePanicked = false;

/** The engine crashed earlier in this process (see engineCrash): no engine method is safe to call again. */
export function hasEnginePanicked(): boolean {
  return enginePanicked;
}

/**
 * Whether `error` is a crash of the engine (a wasm trap after a Rust panic). If so, the engine is marked unusable
 * for the rest of the process and the panic message (or the trap's) is returned; otherwise undefined.
 */
export function engineCrash(error: unknown): { message: string } | undefined {
  if (!(error instanceof wasm.RuntimeError)) return undefined;
  enginePanicked = true;
  return { message: lastPanic ?? error.message };
}

function wasmCandidates(): string[] {
  const require = createRequire(import.meta.url);
  const own = join(dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
  const candidates: string[] = [];
  try {
    // The engine shipped with the Prisma CLI matches the CLI's version; the package's own build is
    // the fallback (its JS glue is what we run either way).
    candidates.push(join(dirname(require.resolve('prisma/package.json')), 'build', 'schema_engine_bg.wasm'));
  } catch {
    // prisma CLI not installed: use the package's wasm
  }
  candidates.push(own);
  return candidates.filter((path, index) => existsSync(path) && candidates.indexOf(path) === index);
}

function importExportNames(module: WasmModule): string {
  const imports = wasm.Module.imports(module).map((i) => `${i.module}:${i.name}:${i.kind}`).sort();
  const exports = wasm.Module.exports(module).map((e) => `${e.name}:${e.kind}`).sort();
  return JSON.stringify([imports, exports]);
}

let enginePromise: Promise<{ glue: Glue; wasmPath: string }> | undefined;

// `schema_engine.js` of the package does `import * as wasm from "./schema_engine_bg.wasm"`, which Node
// cannot import. So the module is instantiated by hand with the JS glue as its import object, as
// wasm-bindgen's bundler target expects, then started.
export function loadEngine(): Promise<{ glue: Glue; wasmPath: string }> {
  enginePromise ??= (async () => {
    const registry = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: PanicRegistry };
    registry.PRISMA_WASM_PANIC_REGISTRY ??= { set_message: (message) => (lastPanic = message) };
    const candidates = wasmCandidates();
    const modules = await Promise.all(candidates.map(async (path) => ({ path, module: await wasm.compile(await readFile(path)) })));
    // The package's own wasm (last) defines what the glue expects; another build is used only if it
    // has exactly the same imports and exports.
    const reference = importExportNames(modules[modules.length - 1]!.module);
    const chosen = modules.find((m) => importExportNames(m.module) === reference)!;
    const imports: Record<string, unknown> = { ...engineGlue };
    for (const name of Object.keys(engineGlue)) {
      if (name.startsWith('__wbg_setTimeout_')) imports[name] = trackedSetTimeout;
    }
    const instance = await wasm.instantiate(chosen.module, { './schema_engine_bg.js': imports });
    engineGlue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return { glue: engineGlue, wasmPath: chosen.path };
  })();
  enginePromise.catch(() => (enginePromise = undefined));
  return enginePromise;
}

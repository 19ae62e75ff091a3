// Shared harness (harness/): used by tests/route-table.test.ts and the page fuzz of drills/api-fuzz.ts. No vitest here.
// The route table of the running application, read from its Express router (api/app.ts): every method and path the
// app answers, API and pages, with the mount paths joined. Table tests walk it instead of a hand-written list, so a
// new route is covered the day it is added.
import type { Express } from 'express';

export interface RouteEntry {
  method: string;
  /** Express path pattern, e.g. `/api/v1/cases/:id/actions/:action`. */
  path: string;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  rawPath?: string;
  handle?: { stack?: Layer[] };
}

function walk(stack: Layer[], prefix: string, out: RouteEntry[]): void {
  for (const layer of stack) {
    if (layer.route) {
      for (const method of Object.keys(layer.route.methods)) {
        if (method === '_all') continue;
        const path = `${prefix}${layer.route.path === '/' && prefix ? '' : layer.route.path}`;
        out.push({ method: method.toUpperCase(), path });
      }
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      walk(layer.handle.stack, `${prefix}${mount}`, out);
    }
  }
}

/** Every (method, path) of the app, the first registration of a duplicate only (that is the one Express runs). */
export function routeTable(app: Express): RouteEntry[] {
  const all: RouteEntry[] = [];
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '', all);
  const seen = new Set<string>();
  return all.filter((r) => {
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A concrete path: every `:name` replaced by `params[name]` (throws on a parameter the caller did not foresee). */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for :${name} in ${path}`);
    return encodeURIComponent(value);
  });
}

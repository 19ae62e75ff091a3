// Server-rendered German pages: Handlebars templates from templates/, wrapped in templates/layouts/main.hbs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { repoRoot } from '../platform/paths.js';

const templatesDir = join(repoRoot, 'templates');
const cache = new Map<string, Handlebars.TemplateDelegate>();

function template(name: string): Handlebars.TemplateDelegate {
  let compiled = cache.get(name);
  if (!compiled) {
    compiled = Handlebars.compile(readFileSync(join(templatesDir, `${name}.hbs`), 'utf8'), { strict: false });
    cache.set(name, compiled);
  }
  return compiled;
}

export function renderPage(name: string, context: Record<string, unknown> & { title: string }): string {
  const body = template(name)(context);
  return template('layouts/main')({ ...context, body });
}

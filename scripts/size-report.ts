// `npx tsx scripts/size-report.ts [path...]` — size check for the code base: prints every source file over
// 400 lines and every function over 80 lines (function declarations, methods, accessors, constructors, function
// expressions and arrow functions — nested ones too, each on its own line — measured from the first to the last line
// of the node, comments inside included). Skips node_modules, prisma/generated, tests/histories, var, coverage and
// dot folders. Always exits 0: it reports, the reader judges (declarative tables, test `describe` blocks and
// generated data may legitimately be long). Optional file or directory arguments, relative to the repository root,
// restrict the walk: `npx tsx scripts/size-report.ts domain platform`. `--file-lines=N` / `--function-lines=N` change
// the limits (e.g. `--function-lines=40` to see what comes next).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const args = process.argv.slice(2);
const limit = (name: string, fallback: number): number => {
  const value = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  return value && /^\d+$/.test(value) ? Number(value) : fallback;
};
const MAX_FILE_LINES = limit('file-lines', 400);
const MAX_FUNCTION_LINES = limit('function-lines', 80);
const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const skipped = new Set(['node_modules', 'prisma/generated', 'tests/histories', 'var', 'coverage']);
const sourceFile = /\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/;

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const full = join(dir, name);
    const rel = relative(root, full).split('\\').join('/');
    if (skipped.has(rel) || skipped.has(name)) continue;
    const stat = statSync(full);
    if (stat.isDirectory()) walk(full, out);
    else if (sourceFile.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

function lineCount(text: string): number {
  if (!text) return 0;
  const lines = text.split('\n').length;
  return text.endsWith('\n') ? lines - 1 : lines;
}

function functionName(node: ts.Node, source: ts.SourceFile): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name) return named.name.getText(source);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText(source);
  if (ts.isCallExpression(parent)) return `<callback of ${parent.expression.getText(source).slice(0, 60)}>`;
  if (ts.isExportAssignment(parent)) return 'export default';
  for (let outer = parent; outer; outer = outer.parent) {
    if (ts.isFunctionLike(outer) && (outer as ts.Node & { name?: ts.Node }).name) return `<anonymous in ${(outer as ts.Node & { name: ts.Node }).name.getText(source)}>`;
  }
  return '<anonymous>';
}

interface LongFunction { file: string; name: string; line: number; lines: number }

function longFunctions(file: string): LongFunction[] {
  const text = readFileSync(file, 'utf8');
  const kind = /\.[cm]?tsx?$/.test(file) ? (file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS) : ts.ScriptKind.JS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > MAX_FUNCTION_LINES) found.push({ file: relative(root, file), name: functionName(node, source), line: start + 1, lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const paths = args.filter((a) => !a.startsWith('--'));
const files = (paths.length ? paths.map((d) => resolve(root, d)) : [root])
  .flatMap((d) => (statSync(d).isDirectory() ? walk(d, []) : [d]))
  .sort();

const bigFiles = files
  .map((f) => ({ file: relative(root, f), lines: lineCount(readFileSync(f, 'utf8')) }))
  .filter((f) => f.lines > MAX_FILE_LINES)
  .sort((a, b) => b.lines - a.lines);
const functions = files.flatMap(longFunctions).sort((a, b) => b.lines - a.lines);

console.log(`Files over ${MAX_FILE_LINES} lines: ${bigFiles.length}`);
for (const f of bigFiles) console.log(`  ${String(f.lines).padStart(5)}  ${f.file}`);
console.log(`\nFunctions over ${MAX_FUNCTION_LINES} lines: ${functions.length}`);
for (const f of functions) console.log(`  ${String(f.lines).padStart(5)}  ${f.file}:${f.line}  ${f.name}`);

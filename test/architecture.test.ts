/**
 * The layering of DESIGN.md §1, checked on import lines: the service module knows nothing of
 * Slack, lowdb or a concrete provider; blocks/ is pure (no Slack client, no lowdb, no values from
 * src/, type-only imports are fine).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

interface ImportLine {
  file: string;
  specifier: string;
  /** Resolved against the importing file for relative specifiers, relative to the repo root. */
  target: string;
  typeOnly: boolean;
  /** `import('…')`: loaded when the code runs, not when the importing module is. */
  dynamic: boolean;
}

function importsOf(file: string, source: string): ImportLine[] {
  const found: ImportLine[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?([\s\S]*?)\s*from\s*['"]([^'"]+)['"]/gm;
  const bare = /^\s*import\s*['"]([^'"]+)['"]/gm;
  const dynamic = /import\(\s*['"]([^'"]+)['"]\s*\)/g;
  const add = (specifier: string, typeOnly: boolean, dynamic = false) => {
    const target = specifier.startsWith('.')
      ? path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier))
      : specifier;
    found.push({ file, specifier, target, typeOnly, dynamic });
  };
  for (const match of source.matchAll(statement)) {
    const clause = match[3] ?? '';
    const named = /^\{([\s\S]*)\}$/.exec(clause.trim());
    const specifiers = (named?.[1] ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
    const allNamedAreTypes = specifiers.length > 0 && specifiers.every((part) => part.startsWith('type '));
    add(match[4] ?? '', match[2] !== undefined || allNamedAreTypes);
  }
  for (const match of source.matchAll(bare)) add(match[1] ?? '', false);
  for (const match of source.matchAll(dynamic)) add(match[1] ?? '', false, true);
  return found;
}

async function sourcesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { recursive: true, withFileTypes: true }).catch(
    () => [],
  );
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) =>
      path.posix.join(path.relative(root, entry.parentPath).split(path.sep).join('/'), entry.name),
    );
}

async function importsUnder(dir: string): Promise<ImportLine[]> {
  const files = await sourcesUnder(dir);
  const all = await Promise.all(
    files.map(async (file) => importsOf(file, await readFile(path.join(root, file), 'utf-8'))),
  );
  return all.flat();
}

const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 60;

/** Functions longer than the limit whose comment just above does not say why ("over 60 lines"). */
function longFunctionsWithoutReason(file: string, source: string): string[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const lines = source.split('\n');
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const first = sourceFile.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = sourceFile.getLineAndCharacterOfPosition(node.getEnd()).line;
      const above = lines.slice(Math.max(0, first - 3), first + 1).join('\n');
      if (last - first + 1 > MAX_FUNCTION_LINES && !/over \d+ lines/.test(above)) {
        found.push(`${file}:${first + 1} (${last - first + 1} lines)`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

const describeLine = (line: ImportLine) => `${line.file} imports '${line.specifier}'`;

/** src/licensing may use the provider port and the store port, never an adapter or Slack. */
function licensingViolations(lines: readonly ImportLine[]): string[] {
  return lines
    .filter(
      (line) =>
        line.target.startsWith('src/slack') ||
        line.target.startsWith('@slack/') ||
        line.target === 'lowdb' ||
        line.target.startsWith('lowdb/') ||
        (line.target.startsWith('src/providers/') && line.target !== 'src/providers/license-provider.js') ||
        (line.target.startsWith('src/store/') &&
          !['src/store/store.js', 'src/store/store-schema.js'].includes(line.target)),
    )
    .map(describeLine);
}

/**
 * Modules of src/licensing that are pure functions over plain data: their value imports reach
 * only other such modules. blocks/ may use them (one definition of a result key, a count, the
 * approval rule) and stay pure.
 */
function pureLicensingModules(lines: readonly ImportLine[]): Set<string> {
  const asTarget = (file: string) => file.replace(/\.ts$/, '.js');
  const byFile = new Map<string, ImportLine[]>();
  for (const line of lines)
    byFile.set(asTarget(line.file), [...(byFile.get(asTarget(line.file)) ?? []), line]);
  const pure = new Set(byFile.keys());
  for (let changed = true; changed; ) {
    changed = false;
    for (const file of pure) {
      const impure = (byFile.get(file) ?? []).some((line) => !line.typeOnly && !pure.has(line.target));
      if (impure) {
        pure.delete(file);
        changed = true;
      }
    }
  }
  return pure;
}

/** blocks/ is pure: Block Kit types only, no Slack client, no lowdb, no values from src/ but pure ones. */
function blocksViolations(lines: readonly ImportLine[], pure: ReadonlySet<string> = new Set()): string[] {
  return lines
    .filter(
      (line) =>
        line.target === '@slack/web-api' ||
        line.target === '@slack/bolt' ||
        line.target === 'lowdb' ||
        line.target.startsWith('lowdb/') ||
        line.target.startsWith('src/slack') ||
        (line.target.startsWith('src/') && !line.typeOnly && !pure.has(line.target)),
    )
    .map(describeLine);
}

const PROVIDER_ADAPTERS = ['demo', 'graph', 'partner-center'];

/** An adapter may use the shared provider modules and entra/, never another adapter; no adapter or store knows Slack. */
function adapterViolations(lines: readonly ImportLine[]): string[] {
  return lines
    .filter((line) => {
      if (line.target.startsWith('src/slack') || line.target.startsWith('@slack/')) return true;
      const own = /^src\/providers\/([^/]+)\//.exec(line.file)?.[1];
      const other = /^src\/providers\/([^/]+)\//.exec(line.target)?.[1];
      return own !== undefined && other !== undefined && own !== other && PROVIDER_ADAPTERS.includes(other);
    })
    .map(describeLine);
}

/** What loading `entry` loads: its static value imports, followed through src/ (packages by name). */
function loadedWith(lines: readonly ImportLine[], entry: string): Set<string> {
  const byFile = new Map<string, ImportLine[]>();
  for (const line of lines) {
    const file = line.file.replace(/\.ts$/, '.js');
    byFile.set(file, [...(byFile.get(file) ?? []), line]);
  }
  const loaded = new Set([entry]);
  const next = [entry];
  for (let file = next.pop(); file !== undefined; file = next.pop()) {
    for (const line of byFile.get(file) ?? []) {
      if (line.typeOnly || line.dynamic || loaded.has(line.target)) continue;
      loaded.add(line.target);
      next.push(line.target);
    }
  }
  return loaded;
}

/** Packages only some configurations need, loaded by import() where they do. */
const LOADED_ON_DEMAND = ['pg', 'pg-boss', '@azure/msal-node'];

describe('architecture', () => {
  it('src/licensing imports nothing from src/slack, lowdb or a concrete provider', async () => {
    const lines = await importsUnder('src/licensing');
    expect(lines.length).toBeGreaterThan(10);
    expect(licensingViolations(lines)).toEqual([]);
  });

  it('blocks/ imports no Slack client, no lowdb and no values from src/ but pure licensing modules', async () => {
    const pure = pureLicensingModules(await importsUnder('src/licensing'));
    expect(pure).toContain('src/licensing/result-key.js');
    expect(pure).not.toContain('src/licensing/licensing-service.js');
    const lines = await importsUnder('blocks');
    expect(blocksViolations(lines, pure)).toEqual([]);
  });

  it('providers import no other adapter, and neither providers nor the store know Slack', async () => {
    const lines = [...(await importsUnder('src/providers')), ...(await importsUnder('src/store'))];
    expect(lines.length).toBeGreaterThan(30);
    expect(adapterViolations(lines)).toEqual([]);
  });

  it('a start on lowdb with the demo tenant loads neither PostgreSQL, pg-boss nor MSAL', async () => {
    const loaded = loadedWith(await importsUnder('src'), 'src/main.js');
    expect(loaded.size).toBeGreaterThan(50);
    expect(LOADED_ON_DEMAND.filter((name) => loaded.has(name))).toEqual([]);
  });

  it('the checks catch what they are meant to catch', () => {
    const licensing = importsOf(
      'src/licensing/sample.ts',
      [
        "import { App } from '@slack/bolt';",
        "import { Low } from 'lowdb';",
        "import { DemoProvider } from '../providers/demo/demo-provider.js';",
        "import type { LicenseProvider } from '../providers/license-provider.js';",
        "import { LowdbStore } from '../store/lowdb-store.js';",
        "export { x } from '../slack/app.js';",
      ].join('\n'),
    );
    expect(licensingViolations(licensing)).toHaveLength(5);

    const blocks = importsOf(
      'blocks/sample.ts',
      [
        "import type { KnownBlock } from '@slack/types';",
        "import type { Product } from '../src/licensing/model.js';",
        "import { type Approval } from '../src/store/store-schema.js';",
        "import { failureMessages } from '../src/licensing/model.js';",
        "import { WebClient } from '@slack/web-api';",
        'import {\n  type A,\n  b,\n} from "../src/licensing/plan.js";',
      ].join('\n'),
    );
    expect(blocksViolations(blocks, new Set(['src/licensing/plan.js']))).toEqual([
      "blocks/sample.ts imports '../src/licensing/model.js'",
      "blocks/sample.ts imports '@slack/web-api'",
    ]);

    const pure = pureLicensingModules(
      importsOf('src/licensing/a.ts', "import { b } from './b.js';\nimport type { C } from './c.js';")
        .concat(importsOf('src/licensing/b.ts', "import type { A } from './a.js';"))
        .concat(importsOf('src/licensing/c.ts', "import { z } from 'zod';")),
    );
    expect([...pure].sort()).toEqual(['src/licensing/a.js', 'src/licensing/b.js']);

    const adapters = importsOf(
      'src/providers/partner-center/sample.ts',
      [
        "import { HttpClient } from '../http.js';",
        "import { msal } from '../entra/msal.js';",
        "import { x } from '../graph/graph-wire.js';",
        "import { y } from '../../slack/app.js';",
      ].join('\n'),
    );
    expect(adapterViolations(adapters)).toEqual([
      "src/providers/partner-center/sample.ts imports '../graph/graph-wire.js'",
      "src/providers/partner-center/sample.ts imports '../../slack/app.js'",
    ]);

    const start = importsOf('src/main.ts', "import { a } from './a.js';\nconst b = await import('./b.js');")
      .concat(importsOf('src/a.ts', "import { Pool } from 'pg';\nimport type { Boss } from 'pg-boss';"))
      .concat(importsOf('src/b.ts', "import { PgBoss } from 'pg-boss';"));
    expect([...loadedWith(start, 'src/main.js')].sort()).toEqual(['pg', 'src/a.js', 'src/main.js']);
  });

  it(`no file in src/ or blocks/ over ${MAX_FILE_LINES} lines, no function over ${MAX_FUNCTION_LINES} without a reason`, async () => {
    const files = [...(await sourcesUnder('src')), ...(await sourcesUnder('blocks'))];
    const tooLong: string[] = [];
    const longFunctions: string[] = [];
    for (const file of files) {
      const source = await readFile(path.join(root, file), 'utf8');
      const lineCount = source.trimEnd().split('\n').length;
      if (lineCount > MAX_FILE_LINES) tooLong.push(`${file} (${lineCount} lines)`);
      longFunctions.push(...longFunctionsWithoutReason(file, source));
    }
    expect(tooLong).toEqual([]);
    expect(longFunctions).toEqual([]);
    const sample = `function f() {\n${'  step();\n'.repeat(70)}}\n// One table on purpose (over 60 lines).\nfunction g() {\n${'  step();\n'.repeat(70)}}\n`;
    expect(longFunctionsWithoutReason('sample.ts', sample)).toEqual(['sample.ts:1 (72 lines)']);
  });

  it('src/ logs only through the one logger: no console.*', async () => {
    const files = await sourcesUnder('src');
    expect(files.length).toBeGreaterThan(30);
    const offenders: string[] = [];
    for (const file of files) {
      const source = await readFile(path.join(root, file), 'utf8');
      source.split('\n').forEach((line, index) => {
        if (/\bconsole\.(log|info|warn|error|debug|trace)\b/.test(line))
          offenders.push(`${file}:${index + 1}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});

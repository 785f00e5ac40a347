import { execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type GuardedProcess, installProcessGuards } from '../src/process-guards.js';

function recorder() {
  const lines: string[] = [];
  return { lines, logger: { error: (...parts: unknown[]) => lines.push(parts.map(String).join(' ')) } };
}

describe('installProcessGuards', () => {
  it('logs an unhandled rejection and an uncaught exception with name, message and stack', () => {
    const target = new EventEmitter();
    const { lines, logger } = recorder();
    installProcessGuards(logger, target as unknown as GuardedProcess);

    target.emit('unhandledRejection', new RangeError('page out of range', { cause: new Error('deep') }));
    target.emit(
      'uncaughtException',
      new TypeError("Cannot read properties of null (reading 'id')"),
      'uncaughtException',
    );
    target.emit('unhandledRejection', { code: 42 });

    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('unhandled promise rejection');
    expect(lines[0]).toContain('RangeError: page out of range (cause: Error: deep)');
    expect(lines[0]).toContain('process-guards.test.ts');
    expect(lines[1]).toContain('uncaught exception (uncaughtException)');
    expect(lines[1]).toContain("TypeError: Cannot read properties of null (reading 'id')");
    expect(lines[2]).toContain('a non-Error value (object): {"code":42}');
  });

  it('removes its handlers when asked', () => {
    const target = new EventEmitter();
    const remove = installProcessGuards(recorder().logger, target as unknown as GuardedProcess);
    expect(target.listenerCount('unhandledRejection')).toBe(1);
    expect(target.listenerCount('uncaughtException')).toBe(1);
    remove();
    expect(target.listenerCount('unhandledRejection')).toBe(0);
    expect(target.listenerCount('uncaughtException')).toBe(0);
  });

  it('keeps a real process running after both, where Node would have ended it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'licensedesk-guards-'));
    const guards = pathToFileURL(fileURLToPath(new URL('../src/process-guards.ts', import.meta.url))).href;
    const script = path.join(dir, 'child.ts');
    await writeFile(
      script,
      [
        `import { installProcessGuards } from ${JSON.stringify(guards)};`,
        'const guarded = process.argv[2] === "guarded";',
        'const firstLine = (text: string) => text.split("\\n")[0] + "\\n";',
        'if (guarded) installProcessGuards({ error: (text: string) => process.stdout.write(firstLine(text)) });',
        'void Promise.reject(new Error("rejected in the background"));',
        'setTimeout(() => { throw new TypeError("thrown in a timer"); }, 10);',
        'setTimeout(() => process.stdout.write("still serving\\n"), 200);',
      ].join('\n'),
    );
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const run = (mode: string) =>
      promisify(execFile)(process.execPath, ['--import', tsx, script, mode]).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );
    try {
      const [guarded, bare] = await Promise.all([run('guarded'), run('bare')]);
      expect(guarded.code).toBe(0);
      expect(guarded.stdout).toContain(
        'unhandled promise rejection, process keeps serving: Error: rejected in the background',
      );
      expect(guarded.stdout).toContain(
        'uncaught exception (uncaughtException), process keeps serving: TypeError: thrown in a timer',
      );
      expect(guarded.stdout).toContain('still serving');
      // Without the guards the same child dies at the first one.
      expect(bare.code).not.toBe(0);
      expect(bare.stdout).not.toContain('still serving');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

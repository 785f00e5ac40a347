// `npm ci` and `npm install` run this: a development install (TypeScript present) builds dist/
// once, so `npm start` runs the built bot without compiling. A production install
// (`npm ci --omit=dev`) has no TypeScript and keeps the dist/ that was built before it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  if (!existsSync('dist/src/main.js')) {
    console.warn(
      'TypeScript is not installed and dist/ is missing: build with `npm ci && npm run build` first.',
    );
  }
  process.exit(0);
}
const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
process.exit(build.status ?? 1);

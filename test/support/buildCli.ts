// Vitest global setup: compiles src/ once into dist-test/, so tests can run the real CLI in a child process.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist-test/cli.js');

export default function setup(): void {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(ROOT, 'dist-test')], { stdio: 'inherit' });
}

// `npm start` step: builds the client when build/ is missing or older than its sources.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const output = path.join(root, 'build', 'index.html');
const inputs = [
  'src',
  'common',
  'static',
  'svelte.config.js',
  'vite.config.ts',
  'package-lock.json'
];

function newestMtime(entry) {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs
    .readdirSync(entry)
    .reduce((newest, name) => Math.max(newest, newestMtime(path.join(entry, name))), stat.mtimeMs);
}

const built = fs.statSync(output, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const sources = Math.max(...inputs.map((input) => newestMtime(path.join(root, input))));
if (built >= sources) {
  console.log('Client build is up to date.');
} else {
  console.log(built ? 'Client sources changed: rebuilding…' : 'Building the client…');
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

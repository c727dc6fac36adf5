// After `vite build`: the gzipped size of the JavaScript the first screen (/signin) loads.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const root = path.resolve(import.meta.dirname, '..');
const clientOut = path.join(root, '.svelte-kit/output/client');
const generated = path.join(root, '.svelte-kit/generated/client-optimized');
const manifest = JSON.parse(fs.readFileSync(path.join(clientOut, '.vite/manifest.json'), 'utf8'));
const BUDGET_KB = 100;

/** The generated node modules (nodes/N.js) that the /signin screen renders: layout + page. */
function firstScreenNodes() {
  const nodesDir = path.join(generated, 'nodes');
  return fs
    .readdirSync(nodesDir)
    .filter((file) => {
      const source = fs.readFileSync(path.join(nodesDir, file), 'utf8');
      return /routes\/\+layout\.(svelte|ts)/.test(source) || /routes\/signin\/\+page/.test(source);
    })
    .map((file) => path.relative(root, path.join(nodesDir, file)));
}

const entries = [
  ...Object.keys(manifest).filter((key) =>
    /client-optimized\/app\.js$|client\/entry\.js$/.test(key)
  ),
  ...firstScreenNodes()
];

// Static imports only: dynamic ones (e.g. the phone-number metadata) load later, on demand.
const files = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || files.has(chunk.file)) return;
  files.add(chunk.file);
  for (const dependency of chunk.imports ?? []) visit(dependency);
};
entries.forEach(visit);

let raw = 0;
let gzipped = 0;
for (const file of files) {
  const content = fs.readFileSync(path.join(clientOut, file));
  raw += content.length;
  gzipped += zlib.gzipSync(content, { level: 9 }).length;
}
const kb = (bytes) => (bytes / 1024).toFixed(1);
const verdict = gzipped / 1024 <= BUDGET_KB ? 'within' : 'OVER';
console.log(
  `First screen (/signin) JavaScript: ${files.size} files, ${kb(raw)} KB raw, ${kb(gzipped)} KB gzipped — ${verdict} the ${BUDGET_KB} KB budget.`
);

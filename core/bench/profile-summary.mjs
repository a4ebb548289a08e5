// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by package.
// usage: node core/bench/profile-summary.mjs <file.cpuprofile> [top=25]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node core/bench/profile-summary.mjs <file.cpuprofile> [top]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = prof.timeDeltas;
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i];
  self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

const pkgOf = (url) => {
  if (!url) return '(native/vm)';
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node:internal';
  if (url.includes('/core/dist/')) return 'serverbox core';
  return url
    .replace(/^file:\/\//, '')
    .split('/')
    .slice(-2)
    .join('/');
};
const fnKey = (n) => {
  const c = n.callFrame;
  const where = c.url
    ? `${c.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/core\/dist\//, 'core/')}:${c.lineNumber + 1}`
    : '';
  return `${c.functionName || '(anonymous)'} ${where}`.trim();
};
const agg = (keyOf) => {
  const m = new Map();
  for (const [id, us] of self) {
    const k = keyOf(byId.get(id));
    m.set(k, (m.get(k) ?? 0) + us);
  }
  return [...m].sort((a, b) => b[1] - a[1]);
};
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`profile ${file}: ${(total / 1e6).toFixed(2)} s sampled`);
console.log('\nself time by package');
for (const [k, us] of agg((n) => pkgOf(n.callFrame.url)).slice(0, top)) console.log(`${pct(us)}  ${k}`);
console.log('\nself time by function');
for (const [k, us] of agg(fnKey).slice(0, top)) console.log(`${pct(us)}  ${k}`);

#!/usr/bin/env node
// `npm start`: install and build on first run, make sure Redis can be had, then run the core.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (msg) => process.stderr.write(`serverbox: ${msg}\n`);
const sh = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    say(`\`${cmd} ${args.join(' ')}\` failed`);
    process.exit(r.status ?? 1);
  }
};

const env = process.env;
sh('bash', ['scripts/ensure-deps.sh']);

const newest = (dir) => {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
};
const stale = (src, out) => !existsSync(out) || newest(join(root, src)) > statSync(out).mtimeMs;
if (
  stale('core/src', join(root, 'core/dist/main.js')) ||
  stale('dashboard/src', join(root, 'dashboard/dist/index.html'))
) {
  say('building core and dashboard');
  sh('npm', ['run', 'build', '--silent']);
}

// Without REDIS_URL the core runs its own redis-server, which must be on PATH.
if (!env.REDIS_URL && spawnSync(env.SERVERBOX_REDIS_SERVER_BIN || 'redis-server', ['--version']).error) {
  const root_ = process.getuid?.() === 0;
  if (root_ && existsSync('/etc/debian_version') && spawnSync('apt-get', ['--version']).status === 0) {
    say('redis-server not found; installing Debian package redis-server');
    sh('apt-get', ['update', '-qq']);
    sh('env', [
      'DEBIAN_FRONTEND=noninteractive',
      'apt-get',
      'install',
      '-y',
      '-qq',
      '--no-install-recommends',
      'redis-server',
    ]);
  } else {
    say(
      'redis-server not found: install Redis 7 (e.g. `apt-get install redis-server`) or set REDIS_URL=redis://host:6379',
    );
    process.exit(1);
  }
}

const child = spawn(process.execPath, [join(root, 'core/dist/main.js')], { stdio: 'inherit', env });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

import { script } from '../../ssh/command.js';
import type { NodeFacts } from './nodes.tables.js';

// What a node is and can do, gathered in one round trip: a fixed script prints key=value
// lines and a pure parser turns them into facts. Everything the node prints is untrusted
// text: values are cut to a sane length and numbers parsed strictly.

export const gatherFacts = script`. /etc/os-release 2>/dev/null
echo "os=$ID"; echo "os_version=$VERSION_ID"; echo "os_name=$PRETTY_NAME"
echo "kernel=$(uname -r)"; echo "arch=$(uname -m)"
echo "hostname=$(hostname 2>/dev/null || cat /etc/hostname 2>/dev/null)"
echo "cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null)"
awk '/^MemTotal:/ { print "mem_kb=" $2 }' /proc/meminfo 2>/dev/null
echo "uptime=$(cut -d' ' -f1 /proc/uptime 2>/dev/null)"
df -Pk / 2>/dev/null | awk 'NR==2 { print "disk_kb=" $2; print "disk_free_kb=" $4 }'
echo "docker=$(docker --version 2>/dev/null)"
echo "compose_plugin=$(docker compose version --short 2>/dev/null)"
echo "compose_v1=$(docker-compose version --short 2>/dev/null)"
echo "tmux=$(tmux -V 2>/dev/null)"
echo "git=$(git --version 2>/dev/null)"
if [ "$(id -u)" = 0 ]; then echo sudo=root; elif sudo -n true 2>/dev/null; then echo sudo=passwordless; else echo sudo=missing; fi`;

const short = (v: string | undefined, max = 120) => {
  const s = (v ?? '').trim();
  return s === '' ? null : s.slice(0, max);
};
const int = (v: string | undefined) => {
  const s = (v ?? '').trim();
  return /^\d{1,15}$/.test(s) ? Number(s) : null;
};
const version = (v: string | undefined) => {
  const m = /(\d+\.\d+(?:\.\d+)?[a-z]?(?:[-+~][0-9A-Za-z.]+)?)/.exec(v ?? '');
  return m ? (m[1] as string).slice(0, 40) : null;
};

export function parseFacts(output: string): NodeFacts {
  const kv: Record<string, string> = {};
  for (const line of output.split('\n').slice(0, 100)) {
    const i = line.indexOf('=');
    if (i > 0) kv[line.slice(0, i)] = line.slice(i + 1);
  }
  const uptime = Number.parseFloat(kv.uptime ?? '');
  const memKb = int(kv.mem_kb);
  const diskKb = int(kv.disk_kb);
  const diskFreeKb = int(kv.disk_free_kb);
  const plugin = version(kv.compose_plugin);
  const v1 = version(kv.compose_v1);
  const sudo = kv.sudo?.trim();
  return {
    os: short(kv.os_name) ?? short(kv.os),
    osVersion: short(kv.os_version, 40),
    kernel: short(kv.kernel),
    arch: short(kv.arch, 40),
    cpus: int(kv.cpus),
    memoryBytes: memKb === null ? null : memKb * 1024,
    diskBytes: diskKb === null ? null : diskKb * 1024,
    diskFreeBytes: diskFreeKb === null ? null : diskFreeKb * 1024,
    uptimeSeconds: Number.isFinite(uptime) && uptime >= 0 ? Math.floor(uptime) : null,
    hostname: short(kv.hostname, 255),
    docker: version(kv.docker),
    compose: plugin ? { version: plugin, flavour: 'plugin' } : v1 ? { version: v1, flavour: 'standalone' } : null,
    tmux: version(kv.tmux) ?? (kv.tmux?.trim() ? short(kv.tmux, 40) : null),
    git: version(kv.git),
    sudo: sudo === 'root' || sudo === 'passwordless' ? sudo : 'missing',
  };
}

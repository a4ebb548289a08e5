import { describe, expect, it } from 'vitest';
import { parseFacts } from './node-facts.js';

describe('parseFacts', () => {
  it('reads the fact script output', () => {
    const f = parseFacts(
      [
        'os=debian',
        'os_version=12',
        'os_name=Debian GNU/Linux 12 (bookworm)',
        'kernel=6.1.0-18-amd64',
        'arch=x86_64',
        'hostname=web-1',
        'cpus=4',
        'mem_kb=8039816',
        'uptime=12345.67',
        'disk_kb=41152736',
        'disk_free_kb=20000000',
        'docker=Docker version 24.0.7, build afdd53b',
        'compose_plugin=2.21.0',
        'compose_v1=',
        'tmux=tmux 3.3a',
        'git=git version 2.39.2',
        'sudo=passwordless',
      ].join('\n'),
    );
    expect(f).toEqual({
      os: 'Debian GNU/Linux 12 (bookworm)',
      osVersion: '12',
      kernel: '6.1.0-18-amd64',
      arch: 'x86_64',
      cpus: 4,
      memoryBytes: 8039816 * 1024,
      diskBytes: 41152736 * 1024,
      diskFreeBytes: 20000000 * 1024,
      uptimeSeconds: 12345,
      hostname: 'web-1',
      docker: '24.0.7',
      compose: { version: '2.21.0', flavour: 'plugin' },
      tmux: '3.3a',
      git: '2.39.2',
      sudo: 'passwordless',
    });
  });
  it('falls back to compose v1 and treats junk as unknown', () => {
    const f = parseFacts(`compose_v1=1.29.2\ncpus=lots\nmem_kb=-1\nsudo=maybe\nos=alpine\nkernel=${'x'.repeat(500)}`);
    expect(f.compose).toEqual({ version: '1.29.2', flavour: 'standalone' });
    expect(f.cpus).toBeNull();
    expect(f.memoryBytes).toBeNull();
    expect(f.sudo).toBe('missing');
    expect(f.os).toBe('alpine');
    expect(f.kernel?.length).toBe(120);
    expect(f.docker).toBeNull();
  });
});

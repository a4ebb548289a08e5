// A real systemd test node: a Docker container running systemd as PID 1 with OpenSSH, reached
// over SSH on a loopback port. The loopback sshd nodes (sshd.mjs) run on this machine, which has
// no systemd as PID 1, so `systemctl` and `journalctl -f` cannot be tested there.
//
// No registry is reachable, so the image is built from Debian packages: debootstrap (minbase +
// systemd, dbus, openssh-server, sudo, procps) → a rootfs tarball cached under
// /var/cache/serverbox-test → `docker import` (base image) → `docker build` adding the test
// users and the demo unit (node image, tagged by a hash of what it adds). Every step is skipped
// when its result exists, under one flock, so parallel test workers build it once.
//
// Needs root, debootstrap and a running dockerd (scripts/test-env.sh provides both).
import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';

export const SYSTEMD_CACHE = process.env.SB_SYSTEMD_CACHE || '/var/cache/serverbox-test';
const SUITE = 'bookworm';
const MIRROR = process.env.SB_DEBIAN_MIRROR || 'http://deb.debian.org/debian';
const BASE_IMAGE = 'serverbox-test/systemd-base:bookworm-1';
const PACKAGES = 'systemd,systemd-sysv,dbus,openssh-server,sudo,procps';
const LABEL = 'serverbox-test.systemd-node';
const READY_TIMEOUT_MS = 90_000;

/** The demo unit: one journal line a second, so followers always have something to read; reloadable (HUP). */
export const DEMO_UNIT = 'sbx-demo.service';
const demoUnit = `[Unit]
Description=serverbox demo service (logs a line every second)

[Service]
ExecStart=/bin/sh -c 'trap "echo sbx-demo reloaded" HUP; i=0; while :; do i=$((i+1)); echo "sbx-demo tick $i"; sleep 1; done'
ExecReload=/bin/kill -HUP $MAINPID
Restart=always

[Install]
WantedBy=multi-user.target
`;

// What the node image adds to the base: the same login users as the loopback nodes
// (root, sbx-sudo with passwordless sudo, sbx-nosudo) and the demo unit, enabled.
const dockerfile = `FROM ${BASE_IMAGE}
COPY ${DEMO_UNIT} /etc/systemd/system/${DEMO_UNIT}
RUN set -e; \\
  for u in sbx-sudo sbx-nosudo; do useradd --create-home --shell /bin/bash "$u"; usermod -p '*' "$u"; done; \\
  echo 'sbx-sudo ALL=(ALL:ALL) NOPASSWD: ALL' > /etc/sudoers.d/sbx-sudo; chmod 0440 /etc/sudoers.d/sbx-sudo; \\
  install -d -m 0700 /root/.ssh; \\
  systemctl enable ${DEMO_UNIT}; \\
  systemctl mask getty@tty1.service console-getty.service systemd-logind.service apt-daily.timer apt-daily-upgrade.timer
`;
export const SYSTEMD_IMAGE = `serverbox-test/systemd-node:${createHash('sha256')
  .update(dockerfile + demoUnit)
  .digest('hex')
  .slice(0, 12)}`;

// One shell script builds whatever is missing, under flock (parallel workers, parallel runs).
// $1 cache dir, $2 suite, $3 mirror, $4 packages, $5 base image, $6 node image, $7 build context.
const buildScript = `set -eu
cache=$1 suite=$2 mirror=$3 packages=$4 base=$5 image=$6 ctx=$7
docker image inspect "$image" >/dev/null 2>&1 && exit 0
if ! docker image inspect "$base" >/dev/null 2>&1; then
  tarball="$cache/rootfs-$suite-systemd.tar"
  if [ ! -s "$tarball" ]; then
    root="$cache/rootfs-$suite.partial"
    rm -rf "$root"
    echo "systemd-node: debootstrap $suite (one time, about a minute)" >&2
    debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 \\
      || { tail -n 20 "$cache/debootstrap.log" >&2; exit 1; }
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball"
    rm -rf "$root"
  fi
  docker import "$tarball" "$base" >/dev/null
fi
DOCKER_BUILDKIT=0 docker build -q -t "$image" "$ctx" >/dev/null
`;

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { timeout: 60_000, maxBuffer: 16 * 1024 * 1024, ...opts },
      (err, stdout, stderr) => {
        if (err)
          reject(new Error(`${cmd} ${args.slice(0, 4).join(' ')} failed: ${String(stderr).trim() || err.message}`));
        else resolve({ stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Builds the node image if it is missing (debootstrap once, then cached). Idempotent. */
export async function ensureSystemdImage() {
  mkdirSync(SYSTEMD_CACHE, { recursive: true });
  const ctx = `${SYSTEMD_CACHE}/context-${SYSTEMD_IMAGE.split(':')[1]}`;
  mkdirSync(ctx, { recursive: true });
  // Written through the shell under the lock below would race less, but these are constant
  // for a given tag, so concurrent writers write the same bytes.
  await run('sh', [
    '-c',
    'printf %s "$1" > "$3/Dockerfile"; printf %s "$2" > "$3/$4"',
    'sh',
    dockerfile,
    demoUnit,
    ctx,
    DEMO_UNIT,
  ]);
  const started = Date.now();
  await run(
    'flock',
    [
      `${SYSTEMD_CACHE}/build.lock`,
      'sh',
      '-c',
      buildScript,
      'sh',
      SYSTEMD_CACHE,
      SUITE,
      MIRROR,
      PACKAGES,
      BASE_IMAGE,
      SYSTEMD_IMAGE,
      ctx,
    ],
    { timeout: 20 * 60_000 },
  );
  return { image: SYSTEMD_IMAGE, ms: Date.now() - started };
}

// ---- capabilities --------------------------------------------------------------------------

// `--privileged` asks for every capability, and runc fails ("unable to apply caps: operation
// not permitted") where this machine's bounding set lacks one (CAP_SYS_RESOURCE here). So ask
// for all and drop those we do not hold ourselves.
const capNames = `CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE
  NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE
  SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL
  SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE`.split(
  /\s+/,
);
function missingCaps() {
  const m = /CapBnd:\s*([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  const held = BigInt(`0x${m?.[1] ?? '0'}`);
  return capNames.filter((_, i) => (held & (1n << BigInt(i))) === 0n);
}

// ---- containers ------------------------------------------------------------------------------

function processIdentity(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return `${pid} ${s.slice(s.lastIndexOf(')') + 2).split(' ')[19]}`;
  } catch {
    return null;
  }
}

/** Removes systemd-node containers whose owning process has died; returns how many. */
export function sweepSystemdNodes() {
  const r = spawnSync(
    'docker',
    ['ps', '-a', '--filter', `label=${LABEL}`, '--format', `{{.ID}} {{.Label "${LABEL}"}}`],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) return 0;
  let swept = 0;
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const [id, pid, start] = line.split(' ');
    if (pid && processIdentity(Number(pid)) === `${pid} ${start}`) continue;
    spawnSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
    swept++;
  }
  return swept;
}

const live = new Set();
let exitHook = false;

function bannerAt(port) {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(2000, () => done(false));
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (got.length >= 8) done(got.startsWith('SSH-2.0-'));
    });
    s.on('error', () => done(false));
  });
}

/** Starts a container from the node image (building it first if needed) and waits for systemd and sshd. */
export async function startSystemdNode(opts = {}) {
  sweepSystemdNodes();
  await ensureSystemdImage();
  const name = `sbx-${opts.name ?? 'systemd'}-${randomBytes(3).toString('hex')}`;
  const args = [
    ...['run', '-d', '--name', name, '--hostname', name, '--label', `${LABEL}=${processIdentity(process.pid)}`],
    ...['--cap-add', 'ALL', ...missingCaps().flatMap((c) => ['--cap-drop', c])],
    ...['--security-opt', 'seccomp=unconfined', '--security-opt', 'apparmor=unconfined'],
    // systemd manages its own cgroup subtree: it needs the hierarchy writable.
    ...['--cgroupns=host', '-v', '/sys/fs/cgroup:/sys/fs/cgroup:rw'],
    ...['--tmpfs', '/run', '--tmpfs', '/run/lock', '--tmpfs', '/tmp', '--stop-signal', 'SIGRTMIN+3'],
    ...['-p', '127.0.0.1::22', SYSTEMD_IMAGE, '/lib/systemd/systemd'],
  ];
  const id = (await run('docker', args)).stdout.trim();
  live.add(id);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const c of live) spawnSync('docker', ['rm', '-f', c], { stdio: 'ignore' });
    });
  }
  const exec = async (script, params = [], input = undefined) =>
    (
      await run('docker', ['exec', ...(input === undefined ? [] : ['-i']), id, 'sh', '-c', script, 'sh', ...params], {
        input,
      })
    ).stdout;
  try {
    const port = Number((await run('docker', ['port', id, '22/tcp'])).stdout.trim().split('\n')[0].split(':').pop());
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let state = '';
    for (;;) {
      state = await exec('systemctl is-system-running || true').then(
        (s) => s.trim(),
        () => 'starting',
      );
      if ((state === 'running' || state === 'degraded') && (await bannerAt(port))) break;
      if (Date.now() > deadline) throw new Error(`systemd node ${name} not ready (systemd: ${state})`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const hostPublicKey = (await exec('cat /etc/ssh/ssh_host_ed25519_key.pub'))
      .trim()
      .split(/\s+/)
      .slice(0, 2)
      .join(' ');
    const blob = Buffer.from(hostPublicKey.split(' ')[1], 'base64');
    const hostKeyFingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
    return {
      id,
      name,
      host: '127.0.0.1',
      port,
      hostPublicKey,
      hostKeyFingerprint,
      systemState: state,
      async authorize(publicKeyLine, user = 'root') {
        const keys = '"$h/.ssh/authorized_keys"';
        await exec(
          `h=$(getent passwd "$1" | cut -d: -f6) && install -d -m 0700 -o "$1" -g "$1" "$h/.ssh" && cat >> ${keys} && chown "$1:" ${keys} && chmod 0600 ${keys}`,
          [user],
          `${publicKeyLine.trim()}\n`,
        );
      },
      exec: (script, params) => exec(script, params),
      async close() {
        live.delete(id);
        await run('docker', ['rm', '-f', id]).catch(() => {});
      },
    };
  } catch (err) {
    live.delete(id);
    await run('docker', ['rm', '-f', id]).catch(() => {});
    throw err;
  }
}

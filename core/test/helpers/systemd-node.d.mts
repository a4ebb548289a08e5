// Types for systemd-node.mjs (plain JavaScript, like sshd.mjs, so benchmarks can import it too).

export type SystemdNodeUser = 'root' | 'sbx-sudo' | 'sbx-nosudo';

export interface SystemdNodeOptions {
  /** Part of the container name: [a-z0-9-], default 'systemd'. */
  name?: string;
}

export interface SystemdNode {
  /** The container id. */
  readonly id: string;
  /** The container (and host) name: sbx-<name>-<random>. */
  readonly name: string;
  /** Always '127.0.0.1': port 22 is published on a free loopback port. */
  readonly host: string;
  readonly port: number;
  /** 'ssh-ed25519 AAAA…' of the node's host key. */
  readonly hostPublicKey: string;
  /** 'SHA256:…' exactly as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprint: string;
  /** What `systemctl is-system-running` said when the node became ready: running or degraded. */
  readonly systemState: string;
  /** Appends one OpenSSH public key line to the user's authorized_keys (default root). */
  authorize(publicKeyLine: string, user?: SystemdNodeUser): Promise<void>;
  /** Runs `sh -c script sh params…` inside the node as root (docker exec); resolves to stdout. */
  exec(script: string, params?: string[]): Promise<string>;
  /** Removes the container. */
  close(): Promise<void>;
}

/** The demo unit every node runs: logs "sbx-demo tick N" once a second. */
export const DEMO_UNIT: 'sbx-demo.service';
/** The node image's tag (a hash of what it adds to the debootstrapped base). */
export const SYSTEMD_IMAGE: string;
/** Where the debootstrapped rootfs tarball is cached (SB_SYSTEMD_CACHE, default /var/cache/serverbox-test). */
export const SYSTEMD_CACHE: string;

/** Builds the node image if missing (debootstrap once, cached tarball, docker import + build). */
export function ensureSystemdImage(): Promise<{ image: string; ms: number }>;

/** Starts a node: systemd as PID 1 with sshd; resolves when systemd is up and sshd answers. Needs root and dockerd. */
export function startSystemdNode(opts?: SystemdNodeOptions): Promise<SystemdNode>;

/** Removes systemd-node containers whose owning process has died; returns how many. */
export function sweepSystemdNodes(): number;

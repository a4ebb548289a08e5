// Types for sshd.mjs (plain JavaScript so that the .mjs benchmarks can import it too).

export type SshdUser = 'root' | 'sbx-sudo' | 'sbx-nosudo';

export interface SshdOptions {
  /** Prefix of the node's directory and host key comment: [a-z0-9-], default 'node'. */
  name?: string;
  /** OpenSSH MaxSessions (channels per connection), default 10. */
  maxSessions?: number;
  /** The only user sshd lets in (AllowUsers), default 'root'. */
  user?: SshdUser;
  /** sshd_config lines. They go before the harness's own (sshd keeps a keyword's first value,
   * so they win); from the first `Match` line on they go at the end. */
  extraConfig?: string[];
}

export interface SshdNode {
  readonly name: string;
  /** Where this process connects: '127.0.0.1', or the namespace's veth address for a jump node. */
  readonly host: string;
  readonly port: number;
  readonly user: SshdUser;
  /** /tmp/serverbox-sshd/<name>-<random>: sshd_config, host_ed25519, authorized_keys, sshd.log. */
  readonly dir: string;
  readonly maxSessions: number;
  /** The network namespace sshd runs in (jump pairs), or null. */
  readonly netns: string | null;
  /** 'SHA256:…' exactly as `ssh-keygen -lf` prints it; changes with swapHostKey(). */
  readonly hostKeyFingerprint: string;
  /** 'ssh-ed25519 AAAA…' (type and base64, no comment); changes with swapHostKey(). */
  readonly hostPublicKey: string;
  /** The listening sshd's pid; throws while the node is stopped. */
  readonly pid: number;
  readonly running: boolean;
  /** The sshd log (-E) so far. */
  readonly log: string;
  /** Appends one OpenSSH public key line to this node's authorized_keys. */
  authorize(publicKeyLine: string): Promise<void>;
  /** Kills the listening sshd and every process under it: open connections drop. */
  stop(): Promise<void>;
  /** Starts again on the same port with the same host key; resolves once the banner arrives. */
  start(): Promise<void>;
  /** SIGSTOP the listening sshd and all its descendants (connections and their commands), like
   * a machine that hangs: TCP connects still complete, nothing answers. */
  freeze(): void;
  /** SIGCONT everything freeze() stopped. */
  thaw(): void;
  /** Stops, replaces the host key with a new ed25519 one and starts again. */
  swapHostKey(): Promise<void>;
  /** Stops the node and removes its directory. */
  close(): Promise<void>;
}

export interface HiddenSshdNode extends SshdNode {
  /** The address and port the jump node's sshd reaches this node at (direct-tcpip target). */
  readonly hostFromJump: string;
  readonly portFromJump: number;
}

export interface JumpPairOptions {
  jump?: SshdOptions;
  hidden?: SshdOptions;
}

export interface JumpPair {
  /** Listens on port 22 of a veth address in its own network namespace; reachable from here. */
  jump: SshdNode;
  /** Listens on 127.0.0.1 inside that namespace: reachable only through the jump node.
   * Its host/port fields name that address, so a direct attempt from here is refused. */
  hidden: HiddenSshdNode;
  /** Closes both nodes and deletes the namespace (closing each node alone does that too). */
  close(): Promise<void>;
}

export interface ClientKey {
  /** OpenSSH-format ed25519 private key. */
  privateKey: string;
  /** 'ssh-ed25519 AAAA…' */
  publicKey: string;
  /** The private key file (mode 0600) for `ssh -i`; removed when the process exits. */
  path: string;
}

export const SSHD_ROOT: string;

/** Starts a node on 127.0.0.1 and a free port; resolves once sshd sends its banner. Needs root. */
export function startSshd(opts?: SshdOptions): Promise<SshdNode>;

/** A jump node and a node reachable only through it (network namespace + veth). Needs root. */
export function startJumpPair(opts?: JumpPairOptions): Promise<JumpPair>;

/** A throwaway ed25519 client key pair made by ssh-keygen. */
export function clientKey(): Promise<ClientKey>;

/** 'SHA256:…' of an OpenSSH public key line, as `ssh-keygen -lf` prints it. */
export function fingerprintOf(publicKeyLine: string): string;

/** A known_hosts line for the node ('[host]:port key', or 'host key' on port 22). */
export function knownHostsLine(node: SshdNode, host?: string, port?: number): string;

/** Stops and removes nodes under SSHD_ROOT whose owning process has died; returns how many. */
export function sweepSshd(): number;

import { createHash, randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import { annotateAudit } from '../../platform/audit-context.js';
import type { EventBus } from '../../platform/events/bus.js';
import type { Logger } from '../../platform/logger.js';
import { operands, run, script } from '../../ssh/command.js';
import { SshError } from '../../ssh/ssh-error.js';
import { type Actor, can, sessionKeyOf } from '../access/permissions.js';
import { normaliseFilePath, parseMode, tempPathFor, transferIdPattern } from './file-paths.js';
import type { NodeRow } from './nodes.repository.js';
import type { NodeService } from './nodes.service.js';

// File transfer to and from nodes through `exec` (ssh2's SFTP is slow; DESIGN.md, Traps).
// Uploads stream into `cat > <dir>/.<name>.sbx-<random>.tmp`; the same remote script checks
// that every byte arrived, sets the mode and renames the temp file over the target, so a
// reader sees the old file or the new one, never a part; any failure removes the temp file.
// Downloads stat the file first (a regular file, not a symlink, within the size limit) and
// read it in 4 MiB chunks with `dd`, two in flight. One long `cat` would stream as fast as
// the node sends, but the pool cannot pause a channel, so a slow HTTP client would pile the
// file up in memory; a chunk is fetched only when the client has taken the previous ones
// (back-pressure), which bounds a download to a few chunks. Measured on loopback, chunks
// keep pace with one `cat` upload (same order, 50-150 MiB/s on a loaded 2-core box). Each
// chunk re-checks the file's identity, so a file replaced or rewritten mid-download fails
// instead of mixing two versions.

/** A file larger than the configured limit (or the declared size of an upload). */
export class FileTooLargeError extends ValidationError {}

export interface FileLimits {
  /** Largest file uploaded or downloaded. */
  maxBytes: number;
  /** Bytes per download chunk: a multiple of 64 KiB. */
  chunkBytes: number;
  /** At most one progress event per transfer this often. */
  progressMs: number;
  /** An upload with no byte for this long is abandoned. */
  idleMs: number;
}
const defaultLimits: FileLimits = {
  maxBytes: 1024 ** 3,
  chunkBytes: 4 * 1024 * 1024,
  progressMs: 250,
  idleMs: 60_000,
};
const block = 64 * 1024;
/** Chunks of one download in flight at once (each holds an SSH channel while it runs). */
const prefetch = 2;
/** The slowest upload the overall deadline allows for (plus a minute): 256 KiB/s. */
const slowestBytesPerSecond = 256 * 1024;

export type Direction = 'upload' | 'download';

// ---------- remote scripts (values only ever arrive as $1, $2, …) ----------

/** $1 dir, $2 target. One word: ok | no-dir | dir-not-writable | is-directory. */
const uploadPreflight = script`[ -d "$1" ] || { echo no-dir; exit 0; }
[ -w "$1" ] || { echo dir-not-writable; exit 0; }
if [ -d "$2" ] && [ ! -L "$2" ]; then echo is-directory; exit 0; fi
echo ok`;

/**
 * $1 temp, $2 target, $3 mode, $4 expected size. stdin is the file. The temp file is created
 * exclusively (set -C) and private (umask) until the mode is set; a short stdin (the client
 * went away, the channel closed) fails the size check, so a part never replaces the target.
 */
const uploadScript = script`set -C
umask 077
fail() { rm -f -- "$1"; echo "sbx-upload: $2" >&2; exit "$3"; }
cat > "$1" || fail "$1" "could not write the temp file" 70
got=$(stat -c %s -- "$1") || fail "$1" "could not stat the temp file" 71
[ "$got" = "$4" ] || fail "$1" "received $got of $4 bytes" 72
chmod -- "$3" "$1" || fail "$1" "could not set the mode" 73
if [ -d "$2" ] && [ ! -L "$2" ]; then fail "$1" "the target is a directory" 74; fi
mv -f -- "$1" "$2" || fail "$1" "could not rename the temp file over the target" 75`;

/** $1 path. `file <size> <identity>` or one word: symlink | missing | directory | special | unreadable. */
const downloadStat = script`if [ -L "$1" ]; then echo symlink; exit 0; fi
if [ ! -e "$1" ]; then echo missing; exit 0; fi
if [ -d "$1" ]; then echo directory; exit 0; fi
if [ ! -f "$1" ]; then echo special; exit 0; fi
if [ ! -r "$1" ]; then echo unreadable; exit 0; fi
stat -c 'file %s %d:%i:%s:%Y:%Z' -- "$1"`;

/** $1 path, $2 identity from downloadStat, $3 first block, $4 blocks (64 KiB each). */
const downloadChunk = script`now=$(stat -c '%d:%i:%s:%Y:%Z' -- "$1") || exit 3
[ "$now" = "$2" ] || { echo "the file changed during the download" >&2; exit 4; }
exec dd if="$1" bs=65536 skip="$3" count="$4" status=none`;

const firstLine = (s: string) => s.trim().split('\n')[0]?.slice(0, 300) ?? '';

export function createFileService(d: {
  nodes: Pick<NodeService, 'pool' | 'authorise' | 'ref'>;
  events: EventBus;
  log: Logger;
  limits?: Partial<FileLimits>;
}) {
  const limits = { ...defaultLimits, ...d.limits };
  if (limits.chunkBytes % block !== 0 || limits.chunkBytes <= 0)
    throw new Error(`file chunk size must be a positive multiple of ${block}`);
  const { pool } = d.nodes;

  /** Throttled `files.progress` events for one transfer, to the actor's own session only. */
  function progress(actor: Actor, n: NodeRow, transferId: string, direction: Direction, path: string, total: number) {
    let last = 0;
    const publish = (bytes: number, done: boolean, error?: string) =>
      d.events
        .publish('files.progress', {
          node: d.nodes.ref(n),
          transferId,
          direction,
          path,
          bytes,
          total,
          done,
          ...(error ? { error } : {}),
          forSession: sessionKeyOf(actor),
        })
        .catch((err) => d.log.warn({ err, transferId }, 'could not publish file transfer progress'));
    return {
      tick(bytes: number) {
        const now = Date.now();
        if (now - last < limits.progressMs) return;
        last = now;
        void publish(bytes, false);
      },
      done: (bytes: number, error?: string) => publish(bytes, true, error),
    };
  }

  function transferIdOf(given: string | undefined) {
    if (given === undefined || given === '') return randomUUID();
    if (!transferIdPattern.test(given))
      throw new ValidationError('transferId must be 1-64 letters, digits, - or _', { field: 'transferId' });
    return given;
  }

  function checkSize(size: number, what: string) {
    if (size > limits.maxBytes)
      throw new FileTooLargeError(`${what} is ${size} bytes; the limit is ${limits.maxBytes} bytes.`, {
        limit: limits.maxBytes,
      });
  }

  /** Reading as root bypasses file permissions on the node: only those who may write files (admins). */
  function checkRoot(actor: Actor, n: NodeRow, root: boolean | undefined) {
    if (root && !can(actor, 'files:write', { nodeId: n.id, labels: n.labels }))
      throw new ForbiddenError('Reading files as root needs the files:write permission (admins).');
  }

  return {
    limits,

    /**
     * Streams `stream` (exactly `size` bytes) into `path` on the node: a temp file beside it,
     * then the mode, then an atomic rename. Returns what was written and its SHA-256.
     */
    async put(
      actor: Actor,
      nodeId: string,
      input: {
        path: string;
        mode?: string;
        stream: Readable;
        size: number;
        root?: boolean;
        transferId?: string;
        signal?: AbortSignal;
      },
    ) {
      const path = normaliseFilePath(input.path);
      const mode = parseMode(input.mode);
      if (!Number.isSafeInteger(input.size) || input.size < 0) throw new ValidationError('size must be a byte count');
      checkSize(input.size, 'The upload');
      const transferId = transferIdOf(input.transferId);
      const n = await d.nodes.authorise(actor, nodeId, 'files:write');
      annotateAudit({
        target: { type: 'node', id: n.id, name: n.name },
        details: { path, bytes: 0, size: input.size, mode, root: input.root === true, transferId },
      });
      const exec = { root: input.root === true };
      const dir = posix.dirname(path);
      const pre = await pool.exec(n.id, uploadPreflight(dir, path), { ...exec, timeoutMs: 30_000 });
      const verdict = pre.stdout.trim();
      if (pre.code !== 0) throw new ConflictError(`Could not check ${dir} on ${n.name}: ${firstLine(pre.stderr)}`);
      if (verdict === 'no-dir') throw new NotFoundError(`${n.name} has no directory ${dir}.`);
      if (verdict === 'dir-not-writable')
        throw new ForbiddenError(
          `${n.username} on ${n.name} cannot write to ${dir}${exec.root ? '' : ' (an admin may upload as root)'}.`,
        );
      if (verdict === 'is-directory')
        throw new ValidationError(`${path} is a directory on ${n.name}.`, { field: 'path' });
      if (verdict !== 'ok') throw new ConflictError(`Unexpected answer from ${n.name}: ${firstLine(verdict)}`);

      const temp = tempPathFor(path);
      const report = progress(actor, n, transferId, 'upload', path, input.size);
      const hash = createHash('sha256');
      let bytes = 0;
      const abort = new AbortController();
      const onOuterAbort = () => abort.abort();
      input.signal?.addEventListener('abort', onOuterAbort, { once: true });
      const idle = setTimeout(() => abort.abort(), limits.idleMs);
      // Counts, hashes and reports what passes; a body longer or shorter than declared fails
      // here (the node's size check refuses a short one too, whatever happens in between).
      const meter = new Transform({
        transform(chunk: Buffer, _enc, cb: TransformCallback) {
          bytes += chunk.length;
          if (bytes > input.size)
            return cb(new ValidationError(`The body is longer than the declared ${input.size} bytes.`));
          hash.update(chunk);
          idle.refresh();
          report.tick(bytes);
          cb(null, chunk);
        },
        flush(cb: TransformCallback) {
          if (bytes !== input.size)
            return cb(new ConflictError(`The upload ended after ${bytes} of ${input.size} bytes.`));
          cb();
        },
      });
      let streamError: Error | null = null;
      const feeding = pipeline(input.stream, meter).catch((err: Error) => {
        streamError ??= err;
      });
      meter.on('error', (err) => {
        streamError ??= err;
      });
      try {
        const r = await pool.exec(n.id, uploadScript(temp, path, mode, input.size), {
          ...exec,
          stdin: meter,
          signal: abort.signal,
          timeoutMs: 60_000 + Math.ceil(input.size / slowestBytesPerSecond) * 1000,
        });
        await Promise.race([feeding, new Promise((r) => setTimeout(r, 100))]);
        if (streamError) throw streamError;
        if (r.code !== 0) {
          const why = firstLine(r.stderr.replace(/^sbx-upload: /m, '')) || `exit code ${r.code}`;
          throw new ConflictError(`Writing ${path} on ${n.name} failed: ${why}`);
        }
      } catch (err) {
        const error =
          abort.signal.aborted && !input.signal?.aborted && !streamError
            ? new SshError('timeout', `no data arrived for ${limits.idleMs / 1000} s; the upload was abandoned`)
            : (streamError ?? err);
        input.stream.destroy();
        // The remote script removes its temp file on every failure it sees; this covers the
        // ones it cannot (the channel was cut before `cat` ended). Best effort.
        void pool
          .exec(n.id, run('rm', '-f', operands(temp)), { ...exec, timeoutMs: 30_000 })
          .catch((e) => d.log.warn({ err: e, node: n.name }, 'could not remove an upload temp file'));
        annotateAudit({ details: { bytes } });
        await report.done(bytes, (error as Error).message);
        throw error;
      } finally {
        clearTimeout(idle);
        input.signal?.removeEventListener('abort', onOuterAbort);
      }
      const sha256 = hash.digest('hex');
      annotateAudit({ details: { bytes, sha256 } });
      await report.done(bytes);
      return { path, bytes, sha256, transferId };
    },

    /**
     * Opens `path` on the node for reading: a regular file (not a symlink, directory or
     * device) within the size limit. `stream` yields exactly `size` bytes or errors;
     * `finished` settles when it has (attach a handler: it rejects on failure).
     */
    async get(
      actor: Actor,
      nodeId: string,
      input: { path: string; root?: boolean; transferId?: string; signal?: AbortSignal },
    ) {
      const path = normaliseFilePath(input.path);
      const transferId = transferIdOf(input.transferId);
      const n = await d.nodes.authorise(actor, nodeId, 'files:read');
      annotateAudit({
        target: { type: 'node', id: n.id, name: n.name },
        details: { path, bytes: 0, root: input.root === true, transferId },
      });
      checkRoot(actor, n, input.root);
      const exec = { root: input.root === true };
      const st = await pool.exec(n.id, downloadStat(path), { ...exec, timeoutMs: 30_000 });
      const answer = st.stdout.trim();
      if (st.code !== 0) throw new ConflictError(`Could not stat ${path} on ${n.name}: ${firstLine(st.stderr)}`);
      switch (answer) {
        case 'missing':
          throw new NotFoundError(`${n.name} has no file ${path}.`);
        case 'directory':
          throw new ValidationError(`${path} is a directory on ${n.name}; only regular files can be downloaded.`, {
            field: 'path',
          });
        case 'symlink':
          throw new ValidationError(`${path} is a symbolic link on ${n.name}; download the file it points to.`, {
            field: 'path',
          });
        case 'special':
          throw new ValidationError(`${path} is not a regular file on ${n.name} (device, FIFO or socket).`, {
            field: 'path',
          });
        case 'unreadable':
          throw new ForbiddenError(
            `${n.username} on ${n.name} cannot read ${path}${exec.root ? '' : ' (an admin may read it as root)'}.`,
          );
      }
      const m = /^file (\d+) (\S+)$/.exec(answer);
      if (!m) throw new ConflictError(`Unexpected answer from ${n.name}: ${firstLine(answer)}`);
      const size = Number(m[1]);
      const identity = m[2] as string;
      checkSize(size, `${path}`);

      const report = progress(actor, n, transferId, 'download', path, size);
      const abort = new AbortController();
      const onOuterAbort = () => abort.abort();
      input.signal?.addEventListener('abort', onOuterAbort, { once: true });
      let bytes = 0;
      let next = 0;
      let pumping = false;
      const queue: Promise<Buffer>[] = [];
      let settle!: { ok: (v: { bytes: number }) => void; fail: (e: Error) => void };
      const finished = new Promise<{ bytes: number }>((ok, fail) => {
        settle = { ok, fail };
      });

      const fetchChunk = async (offset: number): Promise<Buffer> => {
        const want = Math.min(limits.chunkBytes, size - offset);
        const parts: Buffer[] = [];
        let got = 0;
        const r = await pool.exec(n.id, downloadChunk(path, identity, offset / block, limits.chunkBytes / block), {
          ...exec,
          signal: abort.signal,
          timeoutMs: 120_000,
          // The chunk goes to `parts` only (not also to the result as text); stderr stays small.
          keepStdout: false,
          maxOutputBytes: 64 * 1024,
          onStdout: (c) => {
            got += c.length;
            if (got <= want) parts.push(c);
          },
        });
        if (r.code !== 0)
          throw new ConflictError(
            `Reading ${path} on ${n.name} failed: ${firstLine(r.stderr) || `exit code ${r.code}`}`,
          );
        const buf = Buffer.concat(parts, Math.min(got, want));
        if (got !== want) throw new ConflictError(`${path} on ${n.name} changed during the download.`);
        return buf;
      };

      let ended = false;
      const end = (error?: Error) => {
        if (ended) return;
        ended = true;
        input.signal?.removeEventListener('abort', onOuterAbort);
        abort.abort();
        annotateAudit({ details: { bytes } });
        void report.done(bytes, error?.message);
        if (error) settle.fail(error);
        else settle.ok({ bytes });
      };

      const stream = new Readable({
        highWaterMark: limits.chunkBytes,
        read() {
          void pump();
        },
        destroy(err, cb) {
          if (bytes < size || err) end(err ?? new SshError('cancelled', 'the download was cancelled'));
          cb(err);
        },
      });

      async function pump() {
        if (pumping) return;
        pumping = true;
        try {
          for (;;) {
            while (queue.length < prefetch && next < size) {
              const p = fetchChunk(next);
              p.catch(() => {}); // awaited below in order; a later one may fail first
              queue.push(p);
              next += limits.chunkBytes;
            }
            const head = queue.shift();
            if (!head) {
              end();
              stream.push(null);
              return;
            }
            const buf = await head;
            if (stream.destroyed) return;
            bytes += buf.length;
            report.tick(bytes);
            if (!stream.push(buf)) return;
          }
        } catch (err) {
          stream.destroy(err as Error);
        } finally {
          pumping = false;
        }
      }

      return { path, name: posix.basename(path), size, transferId, stream, finished, node: n };
    },
  };
}
export type FileService = ReturnType<typeof createFileService>;

// File transfer goes over plain HTTP, not tRPC (core/src/modules/nodes/files.http.ts):
// the body is the raw file, and errors come back as JSON { error: { code, message } }.

export interface Uploaded {
  path: string;
  bytes: number;
  sha256: string;
}

export const filesUrl = (nodeId: string, params: Record<string, string>) =>
  `/api/nodes/${encodeURIComponent(nodeId)}/files?${new URLSearchParams(params)}`;

/** What the core's error code means to the person transferring, before its own words. */
const codeWords: Record<string, string> = {
  BAD_REQUEST: 'Not accepted',
  FORBIDDEN: 'Not allowed',
  NOT_FOUND: 'Not found',
  CONFLICT: 'The node refused',
  PRECONDITION_FAILED: 'The node is not ready',
  PAYLOAD_TOO_LARGE: 'Too large',
  BAD_GATEWAY: 'Node unreachable',
  SERVICE_UNAVAILABLE: 'Busy',
  GATEWAY_TIMEOUT: 'Timed out',
};

export class TransferError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
  /** "Too large: The upload is 3 bytes; the limit is 2 bytes." */
  get headline() {
    const words = codeWords[this.code];
    return words ? `${words}: ${this.message}` : this.message;
  }
}

/** The core's JSON error body as a TransferError (a proxy's HTML page still reads sensibly); status 0 when unknown. */
export function transferError(status: number, body: string): TransferError {
  try {
    const e = (JSON.parse(body) as { error?: { code?: string; message?: string } }).error;
    if (e?.message) return new TransferError(status, e.code ?? String(status), e.message);
  } catch {
    // not JSON: fall through
  }
  return new TransferError(
    status,
    String(status),
    status ? `The server answered ${status}.` : `The transfer failed: ${body.trim().slice(0, 200) || 'no answer'}.`,
  );
}

/**
 * PUT the file with XMLHttpRequest: unlike fetch it reports upload progress. The browser
 * sets Content-Length from the File; the custom header is the core's CSRF check.
 */
export function uploadFile(
  nodeId: string,
  file: File,
  opts: { path: string; mode: string; transferId: string; onProgress: (sent: number, total: number) => void },
): { done: Promise<Uploaded>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<Uploaded>((resolve, reject) => {
    xhr.open('PUT', filesUrl(nodeId, { path: opts.path, mode: opts.mode, transferId: opts.transferId }));
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('X-Serverbox-Transfer', '1');
    xhr.upload.onprogress = (e) => opts.onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as Uploaded);
        } catch {
          reject(new TransferError(xhr.status, 'BAD_RESPONSE', 'The server’s answer could not be read.'));
        }
      } else reject(transferError(xhr.status, xhr.responseText));
    };
    xhr.onerror = () =>
      reject(new TransferError(0, 'NETWORK', 'Cannot reach serverbox. Check your connection and try again.'));
    xhr.onabort = () =>
      reject(new TransferError(0, 'ABORTED', 'The upload was cancelled; the file on the node is unchanged.'));
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}

/** Local files up to this size are hashed in the browser to check the node's sha256. */
const maxHashedBytes = 256 * 1024 * 1024;

/**
 * sha256 of a local file, hex, to compare with what the node wrote; null where the browser
 * cannot (WebCrypto exists only in secure contexts) or the file is too big to read whole.
 */
export async function sha256Hex(file: Blob): Promise<string | null> {
  if (!globalThis.crypto?.subtle || file.size > maxHashedBytes) return null;
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

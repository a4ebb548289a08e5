import type { Browser } from './core.js';
import { waitFor } from './core.js';

/** Where a test node listens and the host key it presents (an sshd or systemd test node). */
interface Reachable {
  host: string;
  port: number;
  hostKeyFingerprint: string;
}

/**
 * Registers a node through the API with an uploaded key and its host key pinned up front,
 * and (unless `wait: false`) waits until the core has contacted it and calls it online.
 */
export async function addNode(
  admin: Browser,
  at: Reachable,
  privateKey: string,
  o: { name: string; username: string; labels?: string[]; jumpNodeId?: string; wait?: boolean },
): Promise<string> {
  const created = await admin.client.nodes.create.mutate({
    name: o.name,
    host: at.host,
    port: at.port,
    username: o.username,
    labels: o.labels ?? [],
    jumpNodeId: o.jumpNodeId,
    hostKeyFingerprint: at.hostKeyFingerprint,
    credential: { kind: 'upload', privateKey },
  });
  const id = created.node.id;
  if (o.wait !== false)
    await waitFor(
      async () => (await admin.client.nodes.get.query({ id })).status === 'online',
      20_000,
      `${o.name} online`,
    );
  return id;
}

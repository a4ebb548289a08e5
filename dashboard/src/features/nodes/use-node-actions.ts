import { useMutation, useQueryClient } from '@tanstack/react-query';
import { trpc } from '../../lib/trpc';
import type { NodeDetail, NodeRow } from './queries';

/**
 * After a change the core answered with the node: show that answer at once, then let the
 * lists and pool panel ask again (the events that follow would do it too, a moment later).
 */
function useSettle() {
  const queryClient = useQueryClient();
  return (view: NodeRow) => {
    queryClient.setQueryData<NodeDetail>(trpc.nodes.get.queryKey({ id: view.id }), (old) => old && { ...old, ...view });
    void queryClient.invalidateQueries({ queryKey: trpc.nodes.list.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.nodes.get.queryKey({ id: view.id }) });
    void queryClient.invalidateQueries({ queryKey: trpc.nodes.poolStats.queryKey({ id: view.id }) });
  };
}

/** Connect now: first contact, or facts and health again. */
export function useRefreshNode(onDone?: (view: NodeRow) => void) {
  const settle = useSettle();
  return useMutation(
    trpc.nodes.refresh.mutationOptions({
      onSuccess: (view) => {
        settle(view);
        onDone?.(view);
      },
    }),
  );
}

/** Pins the host key the node presented (sensitive: may ask for the password first). */
export function useTrustHostKey(onDone?: (view: NodeRow) => void) {
  const settle = useSettle();
  return useMutation(
    trpc.nodes.trustHostKey.mutationOptions({
      onSuccess: (view) => {
        settle(view);
        onDone?.(view);
      },
    }),
  );
}

/** `ssh-ed25519` → the file sshd keeps that key in, for checking it on the node. */
export function hostKeyFile(keyType: string): string {
  const kind = keyType.includes('ed25519')
    ? 'ed25519'
    : keyType.startsWith('ecdsa')
      ? 'ecdsa'
      : keyType.includes('rsa')
        ? 'rsa'
        : 'ed25519';
  return `/etc/ssh/ssh_host_${kind}_key.pub`;
}

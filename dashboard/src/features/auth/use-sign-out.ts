import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from '@tanstack/react-router';
import { errorMessage } from '../../lib/errors';
import { trpc } from '../../lib/trpc';
import { useToast } from '../../ui/toast';

/** Signs this device out, leaves the shell, then forgets everything cached for the user. */
export function useSignOut() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation(
    trpc.auth.logout.mutationOptions({
      onSuccess: async () => {
        // Navigate before clearing: a cleared cache would refetch the user inside the shell.
        await router.navigate({ to: '/login' });
        queryClient.clear();
      },
      onError: (err) => toast({ tone: 'red', title: 'Could not sign out', body: errorMessage(err) }),
    }),
  );
}

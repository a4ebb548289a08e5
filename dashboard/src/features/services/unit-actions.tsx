import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { trpc } from '../../lib/trpc';
import { Button } from '../../ui/button';
import { ConfirmDialog } from '../../ui/dialog';
import { useToast } from '../../ui/toast';
import { actionMeta, type UnitAction, type UnitStatus, unitActions } from './queries';
import styles from './services.module.css';

/** The actions that make sense for the unit as it stands (systemctl would refuse the rest). */
function offered(s: UnitStatus): UnitAction[] {
  const running = s.activeState === 'active' || s.activeState === 'reloading' || s.activeState === 'activating';
  return unitActions.filter((a) => {
    if (a === 'start') return !running;
    if (a === 'stop') return running;
    if (a === 'reload') return running && s.canReload;
    if (a === 'enable') return s.unitFileState === 'disabled';
    if (a === 'disable') return s.unitFileState === 'enabled';
    return true;
  });
}

/** Start, stop, restart… as root on the node, each behind a confirmation naming unit and node. */
export function UnitActions({ nodeId, nodeName, status }: { nodeId: string; nodeName: string; status: UnitStatus }) {
  const qc = useQueryClient();
  const toast = useToast();
  const [asking, setAsking] = useState<UnitAction | null>(null);
  const act = useMutation(trpc.services.action.mutationOptions());
  const statusKey = trpc.services.status.queryKey({ nodeId, unit: status.unit, lines: 50 });
  const confirm = () => {
    if (!asking) return;
    const action = asking;
    act.mutate(
      { nodeId, unit: status.unit, action },
      {
        onSuccess: (after) => {
          // The answer is the unit after the action; the journal refetches with it.
          qc.setQueryData<UnitStatus>(statusKey, (old) => old && { ...old, ...after });
          void qc.invalidateQueries({ queryKey: trpc.services.list.queryKey({ nodeId }) });
          void qc.invalidateQueries({ queryKey: statusKey });
          setAsking(null);
          toast({
            tone: 'green',
            title: `${actionMeta[action].label}: ${status.unit}`,
            body: `Now ${after.activeState} (${after.subState}).`,
          });
        },
      },
    );
  };
  const m = asking ? actionMeta[asking] : null;
  return (
    <>
      <div className={styles.actions} data-testid="unit-actions">
        {offered(status).map((a) => (
          <Button
            key={a}
            size="sm"
            variant={actionMeta[a].destructive ? 'danger' : 'secondary'}
            onClick={() => {
              act.reset();
              setAsking(a);
            }}
            data-testid={`unit-action-${a}`}
          >
            {actionMeta[a].label}
          </Button>
        ))}
      </div>
      <ConfirmDialog
        open={asking !== null}
        title={m ? `${m.label} ${status.unit}?` : ''}
        confirmLabel={m ? `${m.label} ${status.unit}` : ''}
        pendingLabel={m?.pending}
        pending={act.isPending}
        error={act.isError ? errorMessage(act.error) : undefined}
        tone={m?.destructive ? 'danger' : 'primary'}
        onConfirm={confirm}
        onCancel={() => setAsking(null)}
      >
        {m && (
          <p>
            This {m.says} on <strong>{nodeName}</strong>, as root. It is recorded in the audit log.
          </p>
        )}
      </ConfirmDialog>
    </>
  );
}

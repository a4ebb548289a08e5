import { useQuery } from '@tanstack/react-query';
import { Badge } from '../../ui/badge';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';
import { matchingNodes, type NodeOption, nodeStatusTone, plural, type Targets, targetNodesQuery } from './queries';
import styles from './runs.module.css';

const toggle = (list: string[], v: string) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);

/** "3 nodes: 2 online, 1 offline". */
export function matchText(nodes: readonly NodeOption[]): string {
  if (nodes.length === 0) return 'No node chosen yet.';
  const by = new Map<string, number>();
  for (const n of nodes) by.set(n.status, (by.get(n.status) ?? 0) + 1);
  return `${plural(nodes.length, 'node')}: ${[...by].map(([s, n]) => `${n} ${s}`).join(', ')}`;
}

/** Labels and single nodes; either reaches a node. Shows how many nodes match, and their status. */
export function TargetPicker({ value, onChange }: { value: Targets; onChange: (t: Targets) => void }) {
  const nodes = useQuery(targetNodesQuery());
  if (nodes.isPending) return <LoadingState label="Loading nodes…" />;
  if (nodes.isError) {
    return (
      <ErrorState
        error={nodes.error}
        title="Could not load nodes"
        onRetry={() => void nodes.refetch()}
        retrying={nodes.isFetching}
      />
    );
  }
  const { items, labels } = nodes.data;
  if (items.length === 0) {
    return <EmptyState title="No nodes to run on">Nodes you may run commands on appear here once added.</EmptyState>;
  }
  const matched = matchingNodes(items, value);
  return (
    <div className={styles.targets}>
      {labels.length > 0 && (
        <fieldset className={styles.fieldset}>
          <legend className={styles.legend}>Labels</legend>
          <div className={styles.chips}>
            {labels.map((l) => (
              <label key={l} className={styles.chip}>
                <input
                  type="checkbox"
                  checked={value.labels.includes(l)}
                  onChange={() => onChange({ ...value, labels: toggle(value.labels, l) })}
                  data-testid={`target-label-${l}`}
                />
                {l}
                <span className={styles.chipCount}>{items.filter((n) => n.labels.includes(l)).length}</span>
              </label>
            ))}
          </div>
        </fieldset>
      )}
      <fieldset className={styles.fieldset}>
        <legend className={styles.legend}>Nodes</legend>
        <ul className={styles.nodeList}>
          {items.map((n) => {
            const viaLabel = !value.nodeIds.includes(n.id) && n.labels.some((l) => value.labels.includes(l));
            return (
              <li key={n.id}>
                <label
                  className={styles.nodeOption}
                  data-matched={viaLabel || value.nodeIds.includes(n.id) || undefined}
                >
                  <input
                    type="checkbox"
                    checked={value.nodeIds.includes(n.id) || viaLabel}
                    onChange={() => onChange({ ...value, nodeIds: toggle(value.nodeIds, n.id) })}
                    disabled={viaLabel}
                    data-testid={`target-node-${n.name}`}
                  />
                  <span className={styles.nodeName}>{n.name}</span>
                  {viaLabel && <span className={styles.hint}>by label</span>}
                  <span className={styles.nodeLabels}>{n.labels.join(', ')}</span>
                  <Badge tone={nodeStatusTone[n.status]} dot>
                    {n.status}
                  </Badge>
                </label>
              </li>
            );
          })}
        </ul>
      </fieldset>
      <p className={styles.matchLine} aria-live="polite" data-testid="target-count" data-count={matched.length}>
        {matchText(matched)}
      </p>
    </div>
  );
}

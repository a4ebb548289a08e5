import { Badge } from '../../ui/badge';
import { type NodeOption, nodeStatusTone } from './queries';
import styles from './runs.module.css';

/** The nodes a run will reach, named, for its confirmation. */
export function TargetList({ nodes }: { nodes: readonly NodeOption[] }) {
  return (
    <ul className={styles.confirmTargets} data-testid="confirm-targets">
      {nodes.map((n) => (
        <li key={n.id}>
          <span className={styles.nodeName}>{n.name}</span>
          <Badge tone={nodeStatusTone[n.status]} dot>
            {n.status}
          </Badge>
        </li>
      ))}
    </ul>
  );
}

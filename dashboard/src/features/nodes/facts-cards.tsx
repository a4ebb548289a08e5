import type { ReactNode } from 'react';
import { duration, fullTime } from '../../lib/time';
import { Badge } from '../../ui/badge';
import { Card } from '../../ui/card';
import { EmptyState } from '../../ui/states';
import styles from './nodes.module.css';
import { formatBytes, type NodeFacts } from './queries';

function Fact({ label, testId, children }: { label: string; testId?: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children ?? <span className={styles.none}>—</span>}</dd>
    </div>
  );
}

/** Disk as "used of total" with a bar; the bar is decoration, the words carry it. */
function Disk({ total, free }: { total: number | null; free: number | null }) {
  if (total === null) return <span className={styles.none}>—</span>;
  const used = free === null ? null : total - free;
  const share = used === null || total === 0 ? null : Math.round((used / total) * 100);
  return (
    <>
      {used === null ? formatBytes(total) : `${formatBytes(used)} used of ${formatBytes(total)}`}
      {share !== null && (
        <>
          <span className={styles.sub}> ({share}%)</span>
          <div className={styles.meter} aria-hidden>
            <span style={{ width: `${share}%` }} />
          </div>
        </>
      )}
    </>
  );
}

/** What the node is: system, size and uptime as of the last facts gathering. */
export function FactsCard({ facts, factsAt }: { facts: NodeFacts | null; factsAt: string | null }) {
  return (
    <Card
      title="System"
      description={factsAt ? `Gathered ${fullTime(factsAt)}.` : 'Gathered on the first successful connection.'}
      data-testid="node-facts"
    >
      {facts ? (
        <dl className={styles.facts}>
          <Fact label="Operating system" testId="fact-os">
            {facts.os}
            {facts.osVersion && <span className={styles.sub}> ({facts.osVersion})</span>}
          </Fact>
          <Fact label="Kernel" testId="fact-kernel">
            {facts.kernel && <span className={styles.mono}>{facts.kernel}</span>}
          </Fact>
          <Fact label="Hostname" testId="fact-hostname">
            {facts.hostname && <span className={styles.mono}>{facts.hostname}</span>}
          </Fact>
          <Fact label="Architecture">{facts.arch}</Fact>
          <Fact label="CPUs" testId="fact-cpus">
            {facts.cpus}
          </Fact>
          <Fact label="Memory" testId="fact-memory">
            {facts.memoryBytes === null ? null : formatBytes(facts.memoryBytes)}
          </Fact>
          <Fact label="Disk (/)" testId="fact-disk">
            <Disk total={facts.diskBytes} free={facts.diskFreeBytes} />
          </Fact>
          <Fact label="Uptime" testId="fact-uptime">
            {facts.uptimeSeconds === null ? null : duration(facts.uptimeSeconds)}
          </Fact>
        </dl>
      ) : (
        <EmptyState title="No facts yet" icon="◌">
          They appear here the moment serverbox first logs in to the node.
        </EmptyState>
      )}
    </Card>
  );
}

const sudoText: Record<NodeFacts['sudo'], { text: string; tone: 'green' | 'amber' }> = {
  root: { text: 'Logs in as root', tone: 'green' },
  passwordless: { text: 'Passwordless sudo', tone: 'green' },
  missing: { text: 'No passwordless sudo', tone: 'amber' },
};

function Tool({
  name,
  version,
  testId,
  extra,
}: {
  name: string;
  version: string | null;
  testId: string;
  extra?: string;
}) {
  return (
    <div>
      <dt>{name}</dt>
      <dd data-testid={testId}>
        {version ? (
          <>
            <span className={styles.mono}>{version}</span>
            {extra && <span className={styles.sub}> {extra}</span>}
          </>
        ) : (
          <span className={styles.none}>not installed</span>
        )}
      </dd>
    </div>
  );
}

/** What serverbox can drive on the node: containers, terminals, deploys, root commands. */
export function CapabilitiesCard({ facts }: { facts: NodeFacts | null }) {
  return (
    <Card
      title="Capabilities"
      description="Tools serverbox uses on this node, and whether it may act as root."
      data-testid="node-capabilities"
    >
      {facts ? (
        <dl className={styles.facts}>
          <Tool name="Docker" version={facts.docker} testId="cap-docker" />
          <Tool
            name="Compose"
            version={facts.compose?.version ?? null}
            extra={
              facts.compose ? (facts.compose.flavour === 'plugin' ? '(docker compose)' : '(docker-compose)') : undefined
            }
            testId="cap-compose"
          />
          <Tool name="tmux" version={facts.tmux} testId="cap-tmux" />
          <Tool name="git" version={facts.git} testId="cap-git" />
          <div>
            <dt>Root</dt>
            <dd data-testid="cap-sudo">
              <Badge tone={sudoText[facts.sudo].tone} dot>
                {sudoText[facts.sudo].text}
              </Badge>
            </dd>
          </div>
        </dl>
      ) : (
        <EmptyState title="Not known yet" icon="◌">
          Learned together with the system facts.
        </EmptyState>
      )}
    </Card>
  );
}

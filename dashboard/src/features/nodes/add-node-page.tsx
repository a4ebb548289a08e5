import { useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { errorMessage, needsReauth } from '../../lib/errors';
import { trpc } from '../../lib/trpc';
import { Button } from '../../ui/button';
import { Card } from '../../ui/card';
import { Alert, EmptyState, ErrorState, LoadingState } from '../../ui/states';
import { ReauthPrompt } from '../auth/reauth-prompt';
import { useMe } from '../auth/use-me';
import { PageHeader } from '../shell/page-header';
import { AddNodeDetails } from './add-node-details';
import { CapabilitiesCard, FactsCard } from './facts-cards';
import { FirstHostKey } from './host-key-review';
import { InstallKey } from './install-key';
import { StatusBadge } from './node-bits';
import styles from './nodes.module.css';
import { type NodeDetail, type NodePublicKey, type NodeRow, nodeQuery } from './queries';
import { useRefreshNode } from './use-node-actions';

const route = getRouteApi('/_app/nodes/add');
type Step = 'details' | 'install' | 'hostKey' | 'done';
const stepTitles: Record<Step, string> = {
  details: 'Details',
  install: 'Install the key',
  hostKey: 'Confirm the host key',
  done: 'Connected',
};
const order: Step[] = ['details', 'install', 'hostKey', 'done'];

function Steps({ current, skipped }: { current: Step; skipped: boolean }) {
  const at = order.indexOf(current);
  return (
    <ol className={styles.steps} aria-label="Steps" data-testid="add-node-steps" data-step={current}>
      {order.map((s, i) => {
        const state = s === 'hostKey' && skipped ? 'skipped' : i < at ? 'done' : i === at ? 'current' : 'todo';
        return (
          <li key={s} className={styles.step} data-state={state} aria-current={i === at ? 'step' : undefined}>
            {stepTitles[s]}
            {state === 'skipped' && <span className="sr-only"> (skipped: fingerprint given)</span>}
          </li>
        );
      })}
    </ol>
  );
}

const connected = (n: NodeRow) => (n.status === 'online' || n.status === 'degraded') && n.facts !== null;

/** Step 2: the key to install on the node, then "connect". */
function InstallStep({ node, onConnected }: { node: NodeDetail; onConnected: (view: NodeRow) => void }) {
  // Seeded by the create answer; after a reload it is a sensitive read (the password again).
  const key = useQuery({ ...trpc.nodes.publicKey.queryOptions({ id: node.id }), staleTime: Number.POSITIVE_INFINITY });
  const [problem, setProblem] = useState<string | null>(null);
  const refresh = useRefreshNode((view) => {
    if (connected(view) || !view.hostKeyFingerprint) onConnected(view);
    else setProblem(view.statusReason ?? `${view.name} did not answer.`);
  });
  return (
    <div className={styles.prose} data-testid="install-step">
      {key.data ? (
        <InstallKey
          publicKey={key.data.publicKey}
          installCommand={key.data.installCommand}
          username={key.data.username}
        />
      ) : key.isPending ? (
        <LoadingState label="Loading the public key…" />
      ) : needsReauth(key.error) ? (
        <ReauthPrompt onConfirmed={() => void key.refetch()} />
      ) : (
        <ErrorState error={key.error} title="Could not load the public key" onRetry={() => void key.refetch()} />
      )}
      <p>
        Then let serverbox connect.{' '}
        {node.hostKeyFingerprint
          ? 'The host key you gave is pinned: a node presenting another one is refused.'
          : 'The node will present its host key, which you confirm in the next step.'}
      </p>
      {node.status === 'quarantined' ? (
        <Alert>
          {node.name} presented a different host key from the fingerprint you gave, so serverbox refused to connect.{' '}
          <Link to="/nodes/$nodeId" params={{ nodeId: node.id }}>
            Review it on the node page
          </Link>
          .
        </Alert>
      ) : (
        problem && (
          <Alert>
            serverbox could not log in: {problem} Check that the command ran on the node as <code>{node.username}</code>
            , then connect again.
          </Alert>
        )
      )}
      {refresh.error && <Alert>{errorMessage(refresh.error)}</Alert>}
      <div className={styles.formFooter}>
        <Button
          variant="primary"
          onClick={() => {
            setProblem(null);
            refresh.mutate({ id: node.id });
          }}
          pending={refresh.isPending}
          pendingText="Connecting…"
          data-testid="connect-node"
        >
          I installed it — connect
        </Button>
      </div>
    </div>
  );
}

/** Step 4: the node answers; its facts arrive live. */
function DoneStep({ node, onBack }: { node: NodeDetail; onBack: () => void }) {
  const navigate = useNavigate();
  const refresh = useRefreshNode();
  const waiting = !node.facts && (node.status === 'pending' || node.status === 'offline') && !refresh.error;
  return (
    <div className={styles.stack} data-testid="done-step">
      <div className={styles.headerMeta}>
        <StatusBadge status={node.status} reason={node.statusReason} />
        <span className={styles.strong}>{node.name}</span>
        {node.statusReason && <span className={styles.sub}>{node.statusReason}</span>}
      </div>
      {node.facts ? (
        <div className={styles.cards}>
          <FactsCard facts={node.facts} factsAt={node.factsAt} />
          <CapabilitiesCard facts={node.facts} />
        </div>
      ) : waiting ? (
        <LoadingState label="Connecting: the node’s facts appear here as soon as it answers…" />
      ) : (
        <>
          <Alert>
            {node.name} did not answer yet{node.statusReason ? `: ${node.statusReason}` : '.'} If the key is not
            installed, serverbox cannot log in.
          </Alert>
          {refresh.error && <Alert>{errorMessage(refresh.error)}</Alert>}
          <div className={styles.formFooter}>
            <Button variant="ghost" onClick={onBack}>
              Show the install command
            </Button>
            <Button
              onClick={() => refresh.mutate({ id: node.id })}
              pending={refresh.isPending}
              pendingText="Connecting…"
            >
              Connect again
            </Button>
          </div>
        </>
      )}
      <div className={styles.formFooter}>
        <Button variant="ghost" onClick={() => void navigate({ to: '/nodes/add', search: {} })}>
          Add another node
        </Button>
        <Button
          variant="primary"
          onClick={() => void navigate({ to: '/nodes/$nodeId', params: { nodeId: node.id } })}
          data-testid="open-node"
        >
          Open {node.name}
        </Button>
      </div>
    </div>
  );
}

function SetupFlow({ nodeId, pinnedAtCreate }: { nodeId: string; pinnedAtCreate: boolean }) {
  const { can } = useMe();
  const node = useQuery(nodeQuery(nodeId));
  const [step, setStep] = useState<Step | null>(null);
  const [skipped, setSkipped] = useState(pinnedAtCreate);
  if (node.isPending) return <LoadingState label="Loading the node…" />;
  if (!node.data) {
    return (
      <ErrorState
        error={node.error}
        title="Could not load the node"
        onRetry={() => void node.refetch()}
        retrying={node.isFetching}
      />
    );
  }
  const n = node.data;
  let current: Step = step ?? (connected(n) ? 'done' : 'install');
  // Someone (another tab, another admin) confirmed the key meanwhile.
  if (current === 'hostKey' && n.hostKeyFingerprint) current = 'done';
  return (
    <>
      <Steps current={current} skipped={skipped} />
      <Card title={stepTitles[current]} data-testid="add-node-card">
        {current === 'install' && (
          <InstallStep
            node={n}
            onConnected={(view) => {
              if (view.hostKeyFingerprint) setSkipped(true);
              setStep(view.hostKeyFingerprint ? 'done' : 'hostKey');
            }}
          />
        )}
        {current === 'hostKey' && (
          <FirstHostKey node={n} canTrust={can('nodes:trust')} onTrusted={() => setStep('done')} />
        )}
        {current === 'done' && <DoneStep node={n} onBack={() => setStep('install')} />}
      </Card>
    </>
  );
}

export function AddNodePage() {
  const { can } = useMe();
  const { node: nodeId } = route.useSearch();
  const navigate = route.useNavigate();
  const queryClient = useQueryClient();
  const [pinned, setPinned] = useState(false);
  const header = (
    <PageHeader
      title="Add a node"
      subtitle={
        <>
          serverbox reaches the node over SSH: no agent, no open port. <Link to="/nodes">Back to nodes</Link>
        </>
      }
    />
  );
  if (!can('nodes:write')) {
    return (
      <>
        {header}
        <EmptyState title="Nothing to do here">Your role cannot add nodes.</EmptyState>
      </>
    );
  }
  return (
    <div className={styles.page}>
      {header}
      {nodeId ? (
        <SetupFlow key={nodeId} nodeId={nodeId} pinnedAtCreate={pinned} />
      ) : (
        <>
          <Steps current="details" skipped={false} />
          <Card title={stepTitles.details}>
            <AddNodeDetails
              onCreated={(created, { pinned: p, kind }) => {
                setPinned(p);
                if (created.publicKey && created.installCommand) {
                  const key: NodePublicKey = {
                    publicKey: created.publicKey,
                    installCommand: created.installCommand,
                    username: created.node.username,
                    scope: kind === 'fleet' ? 'fleet' : 'node',
                    source: kind === 'upload' ? 'uploaded' : 'generated',
                  };
                  queryClient.setQueryData(trpc.nodes.publicKey.queryKey({ id: created.node.id }), key);
                }
                void queryClient.invalidateQueries({ queryKey: trpc.nodes.list.queryKey() });
                void navigate({ search: { node: created.node.id }, replace: true });
              }}
              onCancel={() => void navigate({ to: '/nodes' })}
            />
          </Card>
        </>
      )}
    </div>
  );
}

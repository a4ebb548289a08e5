import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { errorCode, errorMessage } from '../../lib/errors';
import { useNow } from '../../lib/time';
import { Button } from '../../ui/button';
import { Card } from '../../ui/card';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';
import { TabPanel, Tabs } from '../../ui/tabs';
import { useToast } from '../../ui/toast';
import { useMe } from '../auth/use-me';
import { FilesTab } from '../files/files-tab';
import { ServicesTab } from '../services/services-tab';
import { PageHeader } from '../shell/page-header';
import { CapabilitiesCard, FactsCard } from './facts-cards';
import { FirstHostKey, QuarantineAlert } from './host-key-review';
import { StatusBadge } from './node-bits';
import { EditNodeDialog, InstallCommandDialog, RemoveNodeDialog } from './node-dialogs';
import { NodeSettingsCard } from './node-settings-card';
import styles from './nodes.module.css';
import { PoolCard } from './pool-card';
import { allNodesQuery, type NodeDetail, nodeQuery, statusMeta } from './queries';
import type { NodeTab } from './search';
import { useRefreshNode } from './use-node-actions';

const route = getRouteApi('/_app/nodes/$nodeId');

type Open = 'edit' | 'remove' | 'install' | null;

/** Refresh, edit, install command, remove: only for those who may (the core checks anyway). */
function Actions({ node, onOpen }: { node: NodeDetail; onOpen: (o: Open) => void }) {
  const toast = useToast();
  const refresh = useRefreshNode();
  // The core answers with the node as it stands when the attempt ends; a refused host key is
  // recorded a moment later (and arrives as an event). Only a newer "last seen" proves that
  // the node answered this time.
  const run = () => {
    const seenBefore = node.lastSeenAt;
    refresh.mutate(
      { id: node.id },
      {
        onSuccess: (view) =>
          toast(
            view.lastSeenAt && view.lastSeenAt !== seenBefore
              ? { tone: 'green', title: `${view.name} answered`, body: 'Facts and health are up to date.' }
              : {
                  tone: 'red',
                  title: `${view.name} did not answer`,
                  body: view.statusReason ?? 'Its status on this page says why as soon as serverbox knows.',
                },
          ),
        onError: (err) => toast({ tone: 'red', title: 'Refresh failed', body: errorMessage(err) }),
      },
    );
  };
  const quarantined = node.status === 'quarantined';
  return (
    <>
      <Button
        onClick={run}
        disabled={quarantined}
        title={quarantined ? 'Review the host key first' : 'Connect now: gather facts and health again'}
        pending={refresh.isPending}
        pendingText="Connecting…"
        data-testid="refresh-node"
      >
        Refresh
      </Button>
      <Button onClick={() => onOpen('install')} data-testid="show-install-command">
        Install command
      </Button>
      <Button onClick={() => onOpen('edit')} data-testid="edit-node">
        Edit
      </Button>
      <Button variant="danger" onClick={() => onOpen('remove')} data-testid="remove-node">
        Remove
      </Button>
    </>
  );
}

export function NodePage() {
  const { nodeId } = route.useParams();
  const search = route.useSearch();
  const { can } = useMe();
  const navigate = useNavigate();
  // Tabs the actor may use; a linked tab they may not falls back to the overview.
  const tabs: { id: NodeTab; label: string }[] = [
    { id: 'overview', label: 'Overview' },
    ...(can('services:read') ? [{ id: 'services' as const, label: 'Services' }] : []),
    ...(can('files:read') || can('files:write') ? [{ id: 'files' as const, label: 'Files' }] : []),
  ];
  const tab = tabs.find((t) => t.id === search.tab)?.id ?? 'overview';
  const go = (next: { tab?: NodeTab; unit?: string }) =>
    void navigate({
      to: '/nodes/$nodeId',
      params: { nodeId },
      search: next.tab && next.tab !== 'overview' ? { tab: next.tab, unit: next.unit } : {},
    });
  const now = useNow(10_000);
  const [open, setOpen] = useState<Open>(null);
  const node = useQuery(nodeQuery(nodeId));
  const writable = can('nodes:write');
  // The jump host's name, when the actor may see it (the list is cached for the add form too).
  const all = useQuery({ ...allNodesQuery(), enabled: Boolean(node.data?.jumpNodeId) });
  const jumpName = all.data?.items.find((n) => n.id === node.data?.jumpNodeId)?.name ?? null;

  if (node.isPending) return <LoadingState label="Loading the node…" />;
  if (!node.data) {
    if (errorCode(node.error) === 'NOT_FOUND') {
      return (
        <>
          <PageHeader title="Node not found" />
          <EmptyState title="No such node" icon="◌">
            It was removed, or it is not shared with you. <Link to="/nodes">Back to nodes</Link>
          </EmptyState>
        </>
      );
    }
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
  const firstContact = n.status === 'pending' && !n.hostKeyFingerprint && n.offeredHostKey?.reason === 'unknown';
  return (
    <div data-testid="node-page" data-status={n.status}>
      <PageHeader
        title={n.name}
        subtitle={
          <span className={styles.headerMeta}>
            <StatusBadge status={n.status} reason={n.statusReason} />
            <span className={styles.address}>
              {n.username}@{n.host}:{n.port}
            </span>
            <span data-testid="node-status-reason">{n.statusReason ?? statusMeta[n.status].meaning}</span>
          </span>
        }
        actions={writable && <Actions node={n} onOpen={setOpen} />}
      />
      {n.status === 'quarantined' && <QuarantineAlert node={n} canTrust={can('nodes:trust')} />}
      {tabs.length > 1 && (
        <Tabs label="Node sections" idPrefix="node" tabs={tabs} value={tab} onChange={(t) => go({ tab: t })} />
      )}
      <TabPanel idPrefix="node" id={tab}>
        {tab === 'services' ? (
          <ServicesTab
            nodeId={n.id}
            nodeName={n.name}
            canWrite={can('services:write')}
            unit={search.unit}
            onUnit={(unit) => go({ tab: 'services', unit })}
          />
        ) : tab === 'files' ? (
          <FilesTab nodeId={n.id} nodeName={n.name} canRead={can('files:read')} canWrite={can('files:write')} />
        ) : (
          <div className={styles.stack}>
            {firstContact && (
              <Card
                title="Confirm the host key"
                description="serverbox has not connected yet: the node’s host key needs a confirmation first."
                data-testid="first-contact"
              >
                <FirstHostKey node={n} canTrust={can('nodes:trust')} />
              </Card>
            )}
            <div className={styles.cards}>
              <FactsCard facts={n.facts} factsAt={n.factsAt} />
              <CapabilitiesCard facts={n.facts} />
              <NodeSettingsCard node={n} jumpName={jumpName} now={now} />
              <PoolCard nodeId={n.id} />
            </div>
          </div>
        )}
      </TabPanel>
      {writable && open === 'edit' && <EditNodeDialog node={n} open onClose={() => setOpen(null)} />}
      {writable && open === 'remove' && (
        <RemoveNodeDialog
          node={n}
          open
          onClose={() => setOpen(null)}
          onRemoved={() => void navigate({ to: '/nodes' })}
        />
      )}
      {writable && <InstallCommandDialog node={n} open={open === 'install'} onClose={() => setOpen(null)} />}
    </div>
  );
}

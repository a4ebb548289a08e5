import { useQuery } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { Button } from '../../ui/button';
import { EmptyState } from '../../ui/states';
import { useMe } from '../auth/use-me';
import { PageHeader } from '../shell/page-header';
import { NodesFilterBar } from './nodes-filter-bar';
import { NodesTable } from './nodes-table';
import { type NodeFilters, nodesListQuery } from './queries';

const route = getRouteApi('/_app/nodes/');
const subtitle = 'The servers serverbox reaches over SSH: their health, live, and what they run.';

export function NodesPage() {
  const { can } = useMe();
  const filters = route.useSearch();
  const navigate = route.useNavigate();
  const go = useNavigate();
  const list = useQuery({ ...nodesListQuery(filters), enabled: can('nodes:read') });
  // Filters replace the history entry: typing must not fill Back.
  const setFilters = (patch: NodeFilters) =>
    void navigate({ search: (prev) => ({ ...prev, ...patch }), replace: true });
  const add = () => void go({ to: '/nodes/add' });
  if (!can('nodes:read')) {
    return (
      <>
        <PageHeader title="Nodes" subtitle={subtitle} />
        <EmptyState title="Nothing to show">Your role cannot see nodes.</EmptyState>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="Nodes"
        subtitle={subtitle}
        actions={
          can('nodes:write') && (
            <Button variant="primary" onClick={add} data-testid="add-node">
              Add node
            </Button>
          )
        }
      />
      <NodesFilterBar filters={filters} labels={list.data?.labels ?? []} onChange={setFilters} />
      <NodesTable list={list} filters={filters} canAdd={can('nodes:write')} onAdd={add} onChange={setFilters} />
    </>
  );
}

import { createFileRoute } from '@tanstack/react-router';
import { NodesPage } from '../../../features/nodes/nodes-page';
import { parseNodesSearch } from '../../../features/nodes/search';

export const Route = createFileRoute('/_app/nodes/')({
  validateSearch: parseNodesSearch,
  component: NodesPage,
});

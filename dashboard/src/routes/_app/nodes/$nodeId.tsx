import { createFileRoute } from '@tanstack/react-router';
import { NodePage } from '../../../features/nodes/node-page';
import { parseNodePageSearch } from '../../../features/nodes/search';

export const Route = createFileRoute('/_app/nodes/$nodeId')({
  validateSearch: parseNodePageSearch,
  component: NodePage,
});

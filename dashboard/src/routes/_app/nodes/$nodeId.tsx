import { createFileRoute } from '@tanstack/react-router';
import { NodePage } from '../../../features/nodes/node-page';

export const Route = createFileRoute('/_app/nodes/$nodeId')({
  component: NodePage,
});

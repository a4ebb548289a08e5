import { createFileRoute } from '@tanstack/react-router';
import { AddNodePage } from '../../../features/nodes/add-node-page';
import { parseAddNodeSearch } from '../../../features/nodes/search';

export const Route = createFileRoute('/_app/nodes/add')({
  validateSearch: parseAddNodeSearch,
  component: AddNodePage,
});

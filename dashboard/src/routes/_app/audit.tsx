import { createFileRoute } from '@tanstack/react-router';
import { AuditPage } from '../../features/audit/audit-page';
import { parseAuditSearch } from '../../features/audit/search';

export const Route = createFileRoute('/_app/audit')({
  validateSearch: parseAuditSearch,
  component: AuditPage,
});

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { trpc } from '../../lib/trpc';
import { Button, buttonClass } from '../../ui/button';
import { IconDownload } from '../../ui/icons';
import { EmptyState } from '../../ui/states';
import { useMe } from '../auth/use-me';
import { PageHeader } from '../shell/page-header';
import { AuditDetails } from './audit-details';
import { AuditFilterBar } from './audit-filter-bar';
import styles from './audit-page.module.css';
import { AuditTable } from './audit-table';
import { ExportCard, exportHref, rangeText } from './export-card';
import { type AuditFilters, noFilters } from './queries';
import { SigningKeyCard } from './signing-key-card';
import { VerifyPanel } from './verify-panel';

const route = getRouteApi('/_app/audit');

const subtitle = 'Every sign-in, change and refused request, chained and signed so that tampering shows.';

export function AuditPage() {
  const { can } = useMe();
  const { seq, ...filters } = route.useSearch();
  const navigate = route.useNavigate();
  const queryClient = useQueryClient();
  const verify = useMutation(
    trpc.audit.verify.mutationOptions({
      // Verification read every row and checkpoint afresh: show what it saw, not what the cache
      // held. Cached rows are dropped outright, so the row it names opens as the database has it now.
      onSettled: () => {
        queryClient.removeQueries({ queryKey: trpc.audit.bySeq.pathKey() });
        return queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() });
      },
    }),
  );

  // Filters replace the history entry (typing must not fill Back); opening a row adds one.
  const setFilters = (patch: Partial<AuditFilters>) =>
    void navigate({ search: (prev) => ({ ...prev, ...patch }), replace: true });
  const openRow = (next: number | undefined) =>
    void navigate({ search: (prev) => ({ ...prev, seq: next }), replace: next === undefined });

  if (!can('audit:read')) {
    return (
      <>
        <PageHeader title="Audit log" subtitle={subtitle} />
        <EmptyState title="Nothing to show">Your role cannot read the audit log.</EmptyState>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="Audit log"
        subtitle={subtitle}
        actions={
          <>
            {can('audit:export') && (
              <a
                className={buttonClass()}
                href={exportHref(filters)}
                download
                title={`Download ${rangeText(filters)} as a verifiable bundle`}
                data-testid="audit-export"
              >
                <IconDownload /> Export
              </a>
            )}
            {can('audit:verify') && (
              <Button
                variant="primary"
                onClick={() => verify.mutate()}
                pending={verify.isPending}
                pendingText="Verifying…"
                data-testid="audit-verify"
              >
                Verify chain
              </Button>
            )}
          </>
        }
      />
      <VerifyPanel verify={verify} onShowRow={openRow} />
      <AuditFilterBar filters={filters} onChange={setFilters} />
      <AuditTable filters={filters} selectedSeq={seq} onOpen={openRow} onClearFilters={() => setFilters(noFilters)} />
      <div className={styles.cards}>
        <SigningKeyCard />
        {can('audit:export') && <ExportCard filters={filters} />}
      </div>
      <AuditDetails seq={seq} onClose={() => openRow(undefined)} />
    </>
  );
}

import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ErrorState, LoadingState } from './states';

/**
 * The three states every list has before its rows: loading, the server's error with a
 * retry, and empty. `children` renders the rows once there are any.
 */
export function QueryList<T>({
  query,
  loading,
  errorTitle,
  empty,
  children,
}: {
  query: UseQueryResult<T[], unknown>;
  loading: string;
  errorTitle: string;
  empty: ReactNode;
  children: (rows: T[]) => ReactNode;
}) {
  if (query.isPending) return <LoadingState label={loading} />;
  if (query.isError) {
    return (
      <ErrorState
        error={query.error}
        title={errorTitle}
        onRetry={() => void query.refetch()}
        retrying={query.isFetching}
      />
    );
  }
  if (query.data.length === 0) return <>{empty}</>;
  return <>{children(query.data)}</>;
}

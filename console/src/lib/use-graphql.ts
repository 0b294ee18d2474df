import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import { request } from './graphql-client';

export interface QueryState<TData> {
  data: TData | undefined;
  error: Error | undefined;
  /** True until the first answer (refetches keep showing the previous data). */
  loading: boolean;
  refreshing: boolean;
  refetch: () => Promise<void>;
}

/**
 * Runs a query when its variables change (compared by value), optionally polling. Stale answers
 * from superseded variables are dropped.
 */
export function useQuery<TData, TVariables extends Record<string, unknown>>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  options: { skip?: boolean; pollMs?: number } = {},
): QueryState<TData> {
  const key = JSON.stringify(variables);
  const [data, setData] = useState<TData>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(!options.skip);
  const [refreshing, setRefreshing] = useState(false);
  const generation = useRef(0);

  const run = useCallback(async () => {
    const mine = ++generation.current;
    setRefreshing(true);
    try {
      const result = await request(document, JSON.parse(key) as TVariables);
      if (mine !== generation.current) return;
      setData(result);
      setError(undefined);
    } catch (caught) {
      if (mine !== generation.current) return;
      setError(caught as Error);
    } finally {
      if (mine === generation.current) {
        setLoading(false);
        setRefreshing(false);
      }
    }
  }, [document, key]);

  useEffect(() => {
    if (options.skip) {
      setLoading(false);
      return;
    }
    setLoading((previous) => previous || data === undefined);
    void run();
    if (!options.pollMs) return;
    const timer = window.setInterval(() => void run(), options.pollMs);
    return () => window.clearInterval(timer);
    // `data` is deliberately not a dependency: polling must not restart on every answer.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [run, options.skip, options.pollMs]);

  return { data, error, loading, refreshing, refetch: run };
}

export interface MutationState<TData> {
  data: TData | undefined;
  error: Error | undefined;
  running: boolean;
}

/** A mutation to run on demand; the returned promise rejects like `request`. */
export function useMutation<TData, TVariables extends Record<string, unknown>>(
  document: TypedDocumentNode<TData, TVariables>,
): [(variables: TVariables) => Promise<TData>, MutationState<TData>] {
  const [state, setState] = useState<MutationState<TData>>({ data: undefined, error: undefined, running: false });
  const run = useCallback(
    async (variables: TVariables) => {
      setState((previous) => ({ ...previous, running: true, error: undefined }));
      try {
        const data = await request(document, variables);
        setState({ data, error: undefined, running: false });
        return data;
      } catch (error) {
        setState({ data: undefined, error: error as Error, running: false });
        throw error;
      }
    },
    [document],
  );
  return [run, state];
}

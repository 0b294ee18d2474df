import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { currentSession, signOut } from './session';

export interface GraphQLErrorEntry {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; field?: string };
}

/** A request that failed: transport, HTTP status or GraphQL errors, with a readable message. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errors: GraphQLErrorEntry[] = [],
  ) {
    super(message);
    this.name = 'RequestError';
  }

  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }
}

const printed = new WeakMap<object, string>();

/**
 * POSTs one operation to the gateway's /graphql on this origin with the session's token. Any
 * GraphQL error fails the request (the console never shows half an answer as if it were whole);
 * a 401 ends the session so the sign-in page explains why.
 */
export async function request<TData, TVariables extends Record<string, unknown>>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  options: { token?: string; signal?: AbortSignal } = {},
): Promise<TData> {
  let query = printed.get(document);
  if (!query) {
    query = print(document);
    printed.set(document, query);
  }
  const token = options.token ?? currentSession()?.token;
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new RequestError('The gateway could not be reached. Check your connection and try again.', 0);
  }
  let body: { data?: TData | null; errors?: GraphQLErrorEntry[] } | undefined;
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new RequestError(`The gateway answered ${response.status} without a GraphQL body.`, response.status);
  }
  const errors = body?.errors ?? [];
  if (response.status === 401 && !options.token) signOut();
  if (errors.length > 0) {
    throw new RequestError(errors.map((e) => e.message).join('; '), response.status, errors);
  }
  if (!response.ok || body?.data == null) {
    throw new RequestError(`The gateway answered ${response.status}.`, response.status);
  }
  return body.data;
}

import { badInput, notFound } from '@switchboard/kit';
import { GraphQLError } from 'graphql';
import { ConflictError, InputError, NotFoundError, UnresolvedError } from './validation.js';

/** Domain errors as GraphQL client errors (BAD_USER_INPUT with the field, NOT_FOUND, CONFLICT). */
export function toGraphQLError(error: unknown): unknown {
  if (error instanceof InputError || error instanceof UnresolvedError) return badInput(error.message, error.field);
  if (error instanceof NotFoundError) return notFound(error.message);
  if (error instanceof ConflictError) return new GraphQLError(error.message, { extensions: { code: 'CONFLICT' } });
  return error;
}

export async function graphqlCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toGraphQLError(error);
  }
}

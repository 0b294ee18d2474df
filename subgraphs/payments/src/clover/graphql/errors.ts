import { badInput, notFound } from '@switchboard/kit';
import { GraphQLError } from 'graphql';
import { CloverInputError, CloverNotFoundError, CloverStateError, OAuthStateRejected } from '../domain-errors.js';
import { CloverApiError, CloverNotConnected, CloverReauthorizationRequired, CloverUnavailable } from '../http/errors.js';

/** Domain and Clover errors → GraphQL errors with a stable `extensions.code`. */
export function toGraphQLError(error: unknown): unknown {
  if (error instanceof GraphQLError) return error;
  if (error instanceof CloverInputError) return badInput(error.message, error.field);
  if (error instanceof CloverNotFoundError) return notFound(error.message);
  if (error instanceof CloverStateError) return new GraphQLError(error.message, { extensions: { code: 'FAILED_PRECONDITION', reason: error.code } });
  if (error instanceof OAuthStateRejected) return new GraphQLError(error.message, { extensions: { code: 'FORBIDDEN', reason: error.reason } });
  if (error instanceof CloverReauthorizationRequired) {
    return new GraphQLError(error.message, { extensions: { code: 'CLOVER_REAUTHORIZATION_REQUIRED', connectionId: error.connectionId } });
  }
  if (error instanceof CloverNotConnected) return new GraphQLError(error.message, { extensions: { code: 'CLOVER_NOT_CONNECTED' } });
  if (error instanceof CloverUnavailable) return new GraphQLError(error.message, { extensions: { code: 'CLOVER_UNAVAILABLE' } });
  if (error instanceof CloverApiError) {
    return new GraphQLError(error.message, {
      extensions: { code: 'CLOVER_REJECTED', cloverStatus: error.status, cloverCode: error.cloverCode, cloverMessage: error.cloverMessage },
    });
  }
  return error;
}

/** Runs a resolver body, translating what it throws. */
export async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toGraphQLError(error);
  }
}

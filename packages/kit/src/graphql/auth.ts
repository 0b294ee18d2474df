import { GraphQLError } from 'graphql';
import type { AuthChecker } from 'type-graphql';
import { hasRole } from '../security/identity.js';
import type { GraphQLContext } from './context.js';

/** `@Authorized('ops', 'finance')`: any one of the roles, `admin` always; no roles = any identity. */
export const authChecker: AuthChecker<GraphQLContext> = ({ context }, roles) => {
  if (!context.identity) {
    throw new GraphQLError('not authenticated', { extensions: { code: 'UNAUTHENTICATED' } });
  }
  if (!hasRole(context.identity, roles)) {
    throw new GraphQLError(`requires one of the roles: ${['admin', ...roles].join(', ')}`, {
      extensions: { code: 'FORBIDDEN' },
    });
  }
  return true;
};

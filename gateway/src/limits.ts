import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';

/**
 * Depth, alias and cost limits as GraphQL validation rules: Apollo Server answers a failed validation
 * with HTTP 400 and code GRAPHQL_VALIDATION_FAILED before anything reaches a subgraph.
 */
export function queryLimitRules(limits: { maxDepth: number; maxAliases: number; maxCost: number }): ValidationRule[] {
  // graphql-armor throws by default (an exception escaping validation) and prefixes its messages
  // with "Syntax Error:"; report a plain validation error instead.
  const report = (context: ValidationContext | null, error: GraphQLError) =>
    context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, '')));
  const common = { exposeLimits: true, propagateOnRejection: false, onReject: [report] };
  return [
    maxDepthRule({ ...common, n: limits.maxDepth }) as unknown as ValidationRule,
    maxAliasesRule({ ...common, n: limits.maxAliases }) as unknown as ValidationRule,
    // Cost = objects × 2 + scalars, weighted by depth (graphql-armor's model): bounds the work one
    // request can fan out to the subgraphs even within the depth and alias limits.
    costLimitRule({ ...common, maxCost: limits.maxCost }) as unknown as ValidationRule,
  ];
}

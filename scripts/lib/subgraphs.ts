import { billing } from '@switchboard/billing';
import { commerce } from '@switchboard/commerce';
import { helpdesk } from '@switchboard/helpdesk';
import type { SubgraphDefinition } from '@switchboard/kit';
import { payments } from '@switchboard/payments';

/** Every subgraph of the supergraph, in port order. */
export const SUBGRAPHS: SubgraphDefinition<any>[] = [payments, commerce, billing, helpdesk];

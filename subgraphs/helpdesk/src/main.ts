import { runSubgraphMain } from '@switchboard/kit';
import { helpdesk } from './service.js';

await runSubgraphMain(helpdesk);

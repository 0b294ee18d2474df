import { runSubgraphMain } from '@switchboard/kit';
import { payments } from './service.js';

await runSubgraphMain(payments);

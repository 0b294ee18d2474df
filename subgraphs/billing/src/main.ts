import { runSubgraphMain } from '@switchboard/kit';
import { billing } from './service.js';

await runSubgraphMain(billing);

import { runSubgraphMain } from '@switchboard/kit';
import { commerce } from './service.js';

await runSubgraphMain(commerce);

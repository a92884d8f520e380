import { createLogger } from '../shared/logger';
import { runAggregatorProcess } from './aggregator-process';

/** Entry of the aggregator process. */
runAggregatorProcess().catch((err: unknown) => {
  const log = createLogger('aggregator');
  log.fatal({ err: (err as Error).message, stack: (err as Error).stack }, 'aggregator failed to start');
  log.flush();
  setTimeout(() => process.exit(1), 50);
});

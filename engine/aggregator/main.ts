import { runProcess } from '../shared/process-lifecycle';
import { runAggregatorProcess } from './aggregator-process';

/** Entry of the aggregator process. */
runProcess('aggregator', () => runAggregatorProcess());

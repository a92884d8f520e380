import type { Redis } from 'ioredis';
import type { CassandraClient } from '../shared/cassandra';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import type { Store } from '../shared/store/store';
import type { TopkCache } from './cache';
import type { CrawlServicePort } from './crawl-port';
import type { UserDataService } from './gdpr';
import type { ApiMetrics } from './metrics';
import type { OpenApiCollector } from './openapi';
import type { PipelineInspector } from './pipeline';
import type { ReadinessChecker } from './readiness';
import type { TopkService } from './topk-service';

/** Everything route modules need, built once by createApiServer. */
export interface ApiContext {
  config: Config;
  log: Logger;
  db: CassandraClient;
  redis: Redis;
  store: Store;
  cache: TopkCache;
  topk: TopkService;
  users: UserDataService;
  crawl: CrawlServicePort | undefined;
  metrics: ApiMetrics;
  pipeline: PipelineInspector;
  readiness: ReadinessChecker;
  openapi: OpenApiCollector;
  /** the sources a user can connect (the crawler's registry) with the JSON schema of their connect body */
  sources: Array<{ id: string; configSchema: Record<string, unknown> }>;
  now: () => number;
}

import type { Config } from '../../shared/config';
import { ListenBrainzSource } from './listenbrainz';
import type { ListenBrainzOptions } from './listenbrainz';
import { SimulatorSource } from './simulator';
import type { SourceAdapter } from './types';

/** The crawlable sources by id. (`import` is not crawled: files come through CrawlService.importFile.) */
export function createSources(config: Pick<Config, 'listenbrainzUrl'>, lb: Partial<ListenBrainzOptions> = {}): Map<string, SourceAdapter> {
  const list: SourceAdapter[] = [new SimulatorSource(), new ListenBrainzSource({ baseUrl: config.listenbrainzUrl, minIntervalMs: 200, ...lb })];
  return new Map(list.map((s) => [s.id, s]));
}

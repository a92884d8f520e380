import type { Config } from '../../shared/config';
import { LastfmSource } from './lastfm';
import type { LastfmOptions } from './lastfm';
import { ListenBrainzSource } from './listenbrainz';
import type { ListenBrainzOptions } from './listenbrainz';
import { SimulatorSource } from './simulator';
import type { SourceAdapter } from './types';

/** The crawlable sources by id. (`import` is not crawled: files come through CrawlService.importFile.) */
export function createSources(
  config: Pick<Config, 'listenbrainzUrl' | 'lastfmUrl'>,
  lb: Partial<ListenBrainzOptions> = {},
  lfm: Partial<LastfmOptions> = {},
): Map<string, SourceAdapter> {
  const list: SourceAdapter[] = [
    new SimulatorSource(),
    new ListenBrainzSource({ baseUrl: config.listenbrainzUrl, minIntervalMs: 200, ...lb }),
    new LastfmSource({ baseUrl: config.lastfmUrl, minIntervalMs: 200, ...lfm }),
  ];
  return new Map(list.map((s) => [s.id, s]));
}

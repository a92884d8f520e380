import type { CassandraClient } from '../cassandra';
import { ChunksInFlightStore } from './chunks-in-flight';
import { CountStore } from './counts';
import { CrawlStore } from './crawls';
import { IntentStore } from './intents';
import { ListenStore } from './listens';
import { PlayTotalStore } from './play-totals';
import { SourceStore } from './sources';
import { TrackNameStore } from './track-names';
import { TrackStore } from './tracks';
import { UserStore } from './users';

/**
 * The Cassandra data layer: one module per table family, every CQL statement
 * and row mapping of the engine in them. Built once per process over its client.
 */
export interface Store {
  db: CassandraClient;
  listens: ListenStore;
  counts: CountStore;
  playTotals: PlayTotalStore;
  users: UserStore;
  sources: SourceStore;
  crawls: CrawlStore;
  intents: IntentStore;
  tracks: TrackStore;
  trackNames: TrackNameStore;
  chunksInFlight: ChunksInFlightStore;
}

export function createStore(db: CassandraClient): Store {
  return {
    db,
    listens: new ListenStore(db),
    counts: new CountStore(db),
    playTotals: new PlayTotalStore(db),
    users: new UserStore(db),
    sources: new SourceStore(db),
    crawls: new CrawlStore(db),
    intents: new IntentStore(db),
    tracks: new TrackStore(db),
    trackNames: new TrackNameStore(db),
    chunksInFlight: new ChunksInFlightStore(db),
  };
}

/**
 * HTTP wire types of the engine API, generated from its OpenAPI document
 * (GET /openapi.json) by `npm run wire-types` (scripts/wire-types.ts, openapi-typescript).
 * Do not edit: change the route schemas and regenerate. The control plane and the
 * renderer import these types (types only: nothing here exists at run time).
 */
export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Process alive */
        get: operations["getHealthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics
         * @description Request durations per route, cache answers per tier (lru, redis, miss, bypass) and Redis unavailability, pipeline counters from topk:stats (listens ingested, duplicates dropped, DLQ, crawl outcomes) and the aggregator consumer lag per partition.
         */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This OpenAPI document */
        get: operations["getOpenapiJson"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Cassandra, Redis and Kafka reachable and migrations current
         * @description 503 with the failing check(s) when not ready.
         */
        get: operations["getReadyz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/users/{user_id}/topk": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Top-K tracks of a user (seed-compatible)
         * @description Today (UTC) and the days-1 UTC days before it; ordered by listen_count descending, ties by song_id ascending. X-Cache: HIT when answered from the cache. A user with no listens gets results [].
         */
        get: operations["getUsersUserIdTopk"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/crawls/{crawl_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One crawl: state, counts, error */
        get: operations["getV1CrawlsCrawlId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Which answers changed, as they change (Server-Sent Events)
         * @description text/event-stream. Each `changed` event carries `{ seq, users, global, friends, all? }`: the users whose own answers changed and whether the global and friends rankings did; `all: true` means any answer may have changed (many users at once, or events may have been missed). Events are coalesced over ~100 ms. A comment line is sent every 15 s to keep the connection open.
         */
        get: operations["getV1Events"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/pipeline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Pipeline state: aggregator consumer lag and ingest counters
         * @description `consumer_lag` is the aggregator group's total Kafka lag on the listens topic; 0 means every published listen is counted.
         */
        get: operations["getV1Pipeline"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/top/{kind}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Global top tracks or artists across all users
         * @description Exact: ranked from the per-day global counters (sharded by Kafka partition, served through Redis ranked sets), which the aggregator updates with the same exactly-once bookkeeping as the per-user counts; no sketch, so counts are exact (users deleted through GDPR are subtracted).
         */
        get: operations["getV1TopKind"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/top/{kind}/movement": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The global ranking with movement against the previous window
         * @description The ranking of the window (as the matching /top route) with each row's change against the previous window of the same length: up/down by `delta` places, same, or new. When retention no longer holds the previous window, `covered` is false and `reason` says why.
         */
        get: operations["getV1TopKindMovement"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List users */
        get: operations["getV1Users"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A user */
        get: operations["getV1UsersUserId"];
        /**
         * Create or update a user
         * @description 201 when the user was created, 200 when updated. The body is optional: without one (or with `{}`) a user is created without a display name, or left as it is.
         */
        put: operations["putV1UsersUserId"];
        post?: never;
        /**
         * Delete every trace of a user (GDPR)
         * @description Removes raw listens, per-user counts (subtracted from the global counts first), the days index, cache entries, sources, credentials, schedule, crawls, follows and the user row, and records the user in deleted_users so events published before the deletion are dropped if Kafka replays them. Done when the 202 arrives.
         */
        delete: operations["deleteV1UsersUserId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{user_id}/activity": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Plays per UTC day of a user, the users they follow, and everyone
         * @description From the per-(user, day) and per-day play totals the aggregator keeps next to the song counters (user_day_totals, day_shard_totals): exact, and read without touching song counters or raw listens. Oldest day first; every day of the window is present.
         */
        get: operations["getV1UsersUserIdActivity"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{user_id}/crawls": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Crawl history of a user, newest first */
        get: operations["getV1UsersUserIdCrawls"];
        put?: never;
        /** Crawl a source now */
        post: operations["postV1UsersUserIdCrawls"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{user_id}/discoveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Tracks and artists a user played for the first time within the window
         * @description First within what retention can know: a track counts as new when the user has no play of it on any kept day before the window (`known_from` is the oldest kept day). With a window as long as the retention, every track of the window is new by that measure.
         */
        get: operations["getV1UsersUserIdDiscoveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{user_id}/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Export a user's data (GDPR)
         * @description Streams the profile, sources (without credentials), raw listens and daily counts as JSON; with `Accept: text/csv` a CSV of listen and count records instead. A user with nothing kept (e.g. after DELETE) gets the empty export: that is the proof nothing is left.
         */
        get: operations["getV1UsersUserIdExport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{user_id}/friends/top/{kind}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Top tracks or artists across the users this user follows
         * @description Summed over the followed users (user_follows, filled by GitHub sign-in); the user themself is not included.
         */
        get: operations["getV1UsersUserIdFriendsTopKind"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{user_id}/friends/top/{kind}/movement": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The ranking of the users a user follows, with movement
         * @description The ranking of the window (as the matching /top route) with each row's change against the previous window of the same length: up/down by `delta` places, same, or new. When retention no longer holds the previous window, `covered` is false and `reason` says why.
         */
        get: operations["getV1UsersUserIdFriendsTopKindMovement"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{user_id}/heatmap": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A user's listens by weekday and hour of day, in a time zone
         * @description Counts the raw listens of the window (UTC days) of this one user by the weekday and hour their listened_at falls on in `tz`. `cells[w][h]`: w = 0 (Monday) … 6 (Sunday), h = 0 … 23.
         */
        get: operations["getV1UsersUserIdHeatmap"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{user_id}/imports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Import a listening-history file (streamed)
         * @description Send the file itself as the request body: the Spotify data zip or its history JSON files, the ListenBrainz export zip or its JSON / JSON lines, the Last.fm CSV or JSON export, a .scrobbler.log, or a Maloja export (docs/IMPORT-FORMATS.md). The format is detected from the content; a file in none of them is refused (400 unsupported_format). At most 512 MiB. The listens are published to Kafka like crawled ones; the report counts accepted entries and skipped ones per reason. While it runs, the import is a crawl of source `import` whose bytes_read / bytes_total show its progress. `timezone` (IANA) is the time zone of a .scrobbler.log marked #TZ/UNKNOWN (default: the server computer's).
         */
        post: operations["postV1UsersUserIdImports"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{user_id}/listens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Recent raw listens of a user, newest first
         * @description Listens with listened_at strictly before `before` (ms since epoch; default now), at most `limit`. Pass the returned `next_before` to get the next page. Only the retention window is kept.
         */
        get: operations["getV1UsersUserIdListens"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{user_id}/sources": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A user's sources with their schedules */
        get: operations["getV1UsersUserIdSources"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{user_id}/sources/{source}/crawls": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Run the schedule of a source now */
        post: operations["postV1UsersUserIdSourcesSourceCrawls"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{user_id}/sources/{source}/schedule": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change the crawl schedule of a source (interval, pause/resume) */
        patch: operations["patchV1UsersUserIdSourcesSourceSchedule"];
        trace?: never;
    };
    "/v1/users/{user_id}/sources/lastfm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Connect lastfm (or update its settings)
         * @description 201 when connected now, 200 when it was already connected. Creates the user when missing.
         */
        put: operations["putV1UsersUserIdSourcesLastfm"];
        post?: never;
        /** Disconnect lastfm (its schedule and credentials go too) */
        delete: operations["deleteV1UsersUserIdSourcesLastfm"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{user_id}/sources/listenbrainz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Connect listenbrainz (or update its settings)
         * @description 201 when connected now, 200 when it was already connected. Creates the user when missing.
         */
        put: operations["putV1UsersUserIdSourcesListenbrainz"];
        post?: never;
        /** Disconnect listenbrainz (its schedule and credentials go too) */
        delete: operations["deleteV1UsersUserIdSourcesListenbrainz"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{user_id}/sources/simulator": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Connect simulator (or update its settings)
         * @description 201 when connected now, 200 when it was already connected. Creates the user when missing.
         */
        put: operations["putV1UsersUserIdSourcesSimulator"];
        post?: never;
        /** Disconnect simulator (its schedule and credentials go too) */
        delete: operations["deleteV1UsersUserIdSourcesSimulator"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{user_id}/top/{kind}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A user's top tracks or artists over a window
         * @description Window: `days` (last N UTC days) or `from`/`to`. Paged with limit/offset; `total` counts all ranked entries.
         */
        get: operations["getV1UsersUserIdTopKind"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{user_id}/top/{kind}/movement": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A user's ranking with movement against the previous window
         * @description The ranking of the window (as the matching /top route) with each row's change against the previous window of the same length: up/down by `delta` places, same, or new. When retention no longer holds the previous window, `covered` is false and `reason` says why.
         */
        get: operations["getV1UsersUserIdTopKindMovement"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** ActivityReport */
        ActivityReport: {
            cached: boolean;
            days: number;
            /** @description how many users this user follows */
            friends: number;
            /** @description first UTC day */
            from: string;
            series: {
                day: string;
                everyone: number;
                friends: number;
                mine: number;
            }[];
            /** @description last UTC day (inclusive) */
            to: string;
            totals: {
                everyone: number;
                friends: number;
                mine: number;
            };
            user_id: string;
        };
        /** ArtistRow */
        ArtistRow: {
            /** @description artist name ("" when the tracks have no artist metadata) */
            artist: string;
            listen_count: number;
            rank: number;
            /** @description distinct tracks of the artist in the window */
            track_count: number;
        };
        /** CrawlList */
        CrawlList: {
            crawls: components["schemas"]["CrawlRecord"][];
        };
        /** CrawlRecord */
        CrawlRecord: {
            /** @description import: bytes of the file read so far */
            bytes_read?: number;
            /** @description import: size of the file, when known */
            bytes_total?: number;
            crawl_id: string;
            created_at: string;
            error?: string;
            finished_at?: string;
            listens_fetched: number;
            listens_published: number;
            /** @description pages read only to re-read the look-back window below the cursor (late listens) */
            lookback_pages?: number;
            pages: number;
            source: string;
            started_at?: string;
            /** @enum {string} */
            state: "queued" | "running" | "done" | "failed";
            /** @enum {string} */
            trigger: "manual" | "schedule" | "retry" | "import";
            user_id: string;
        };
        /** DeleteReport */
        DeleteReport: {
            counts_deleted?: number;
            days?: number;
            deleted?: boolean;
            follows_deleted?: number;
            listens_deleted?: number;
            user_id?: string;
        };
        /** DiscoveriesReport */
        DiscoveriesReport: {
            artists: {
                artist: string;
                first_day: string;
                listen_count: number;
            }[];
            cached: boolean;
            days: number;
            /** @description first UTC day */
            from: string;
            /** @description kept days before the window that were checked */
            history_days: number;
            /** @description oldest UTC day retention keeps: "first" means first since this day */
            known_from: string;
            /** @description last UTC day (inclusive) */
            to: string;
            total_artists: number;
            total_tracks: number;
            tracks: {
                artist: string | null;
                first_day: string;
                listen_count: number;
                song_id: string;
                title: string | null;
            }[];
            user_id: string;
        };
        /** ErrorBody */
        ErrorBody: {
            error: {
                code: string;
                field?: string;
                message: string;
            };
        };
        /** GlobalMovementPage */
        GlobalMovementPage: {
            /** @enum {string} */
            accuracy: "exact";
            cached: boolean;
            /** @description whether retention still holds the previous window of the same length */
            covered: boolean;
            days: number;
            /** @description first UTC day */
            from: string;
            /** @enum {string} */
            kind: "tracks" | "artists";
            limit: number;
            offset: number;
            previous: {
                from: string;
                to: string;
                total: number;
            } | null;
            /** @description why movement is unknown (when not covered) */
            reason?: string;
            results: ((components["schemas"]["ArtistRow"] & components["schemas"]["RowMovement"]) | (components["schemas"]["TrackRow"] & components["schemas"]["RowMovement"]))[];
            /** @description last UTC day (inclusive) */
            to: string;
            total: number;
        };
        /** GlobalTopPage */
        GlobalTopPage: {
            /** @enum {string} */
            accuracy: "exact";
            cached: boolean;
            days: number;
            /** @description first UTC day */
            from: string;
            /** @description window start, ms since epoch (inclusive) */
            from_ts: number;
            /** @enum {string} */
            kind: "tracks" | "artists";
            /**
             * Format: date-time
             * @description when these counts were read from Cassandra (answers are invalidated when new listens are counted)
             */
            last_updated: string;
            limit: number;
            offset: number;
            results: (components["schemas"]["ArtistRow"] | components["schemas"]["TrackRow"])[];
            /** @description last UTC day (inclusive) */
            to: string;
            /** @description window end, ms since epoch (exclusive: 00:00 UTC after `to`) */
            to_ts: number;
            /** @description number of ranked entries in the window */
            total: number;
        };
        /** HeatmapReport */
        HeatmapReport: {
            cached: boolean;
            cells: number[][];
            days: number;
            /** @description first UTC day */
            from: string;
            /** @description the largest cell */
            max: number;
            /** @description last UTC day (inclusive) */
            to: string;
            total: number;
            tz: string;
            user_id: string;
        };
        /** ImportReport */
        ImportReport: {
            crawl_id: string;
            error?: string;
            /** @description zip entries read as history */
            files?: string[];
            format: string;
            lines_read: number;
            listens_accepted: number;
            skipped: number;
            skipped_reasons: {
                [key: string]: number;
            };
            state: string;
        };
        /** LastfmConfig */
        LastfmConfig: {
            /** @description Last.fm API key, 32 hexadecimal characters (stored encrypted) */
            api_key: string;
            /** @description Last.fm user name (2–15 letters, digits, "_" or "-", a letter first) */
            username: string;
        };
        /** Listen */
        Listen: {
            album: string | null;
            artist: string | null;
            day: string;
            /** @description ms since epoch */
            listened_at: number;
            song_id: string;
            source: string;
            title: string | null;
        };
        /** ListenBrainzConfig */
        ListenBrainzConfig: {
            /** @description ListenBrainz user token (optional; stored encrypted) */
            token?: string;
            /** @description ListenBrainz user name */
            username: string;
        };
        /** ListensPage */
        ListensPage: {
            listens: components["schemas"]["Listen"][];
            /** @description listened_at of the last listen returned, or null when there are no more */
            next_before: number | null;
            user_id: string;
        };
        /** PipelineStatus */
        PipelineStatus: {
            batches?: number;
            consumer_lag: number;
            crawls_done?: number;
            crawls_failed?: number;
            dlq_total?: number;
            duplicates_dropped?: number;
            expired_dropped?: number;
            group: string;
            listens_fetched?: number;
            listens_ingested?: number;
            partitions: {
                /** @description -1 when the group never committed */
                committed?: number;
                end?: number;
                lag?: number;
                partition?: number;
                start?: number;
            }[];
            /** @description false when Redis could not be read (counters are then 0) */
            stats_available: boolean;
            topic: string;
            /** @description false until the listens topic exists */
            topic_exists: boolean;
        };
        /** Readiness */
        Readiness: {
            checks?: {
                cassandra?: {
                    error?: string;
                    latency_ms?: number;
                    ok?: boolean;
                };
                kafka?: {
                    error?: string;
                    latency_ms?: number;
                    ok?: boolean;
                };
                migrations?: {
                    error?: string;
                    latency_ms?: number;
                    ok?: boolean;
                };
                redis?: {
                    error?: string;
                    latency_ms?: number;
                    ok?: boolean;
                };
            };
            /** @enum {string} */
            status?: "ready" | "not_ready";
        };
        /** RowMovement */
        RowMovement: {
            /**
             * @description null when the previous window is beyond retention
             * @enum {string|null}
             */
            change: "up" | "down" | "same" | "new" | null;
            /** @description places gained (positive) or lost; null for new entries and unknown depths */
            delta: number | null;
            /** @description rank in the previous window; null when not in it (or below its first 1000 entries) */
            previous_rank: number | null;
        };
        /** ScheduleRecord */
        ScheduleRecord: {
            interval_seconds: number;
            last_crawl_id?: string;
            last_error?: string;
            last_run_at?: string;
            next_run_at: string | null;
            paused: boolean;
            source: string;
            state: string;
            user_id: string;
        };
        /** SimulatorConfig */
        SimulatorConfig: {
            /** @description default 200 */
            listens_per_day?: number | null;
            /** @description default 1 */
            seed?: number | null;
        } | null;
        /** SourceList */
        SourceList: {
            sources: components["schemas"]["SourceRecord"][];
        };
        /** SourceRecord */
        SourceRecord: {
            config: {
                [key: string]: unknown;
            };
            created_at: string;
            schedule: components["schemas"]["ScheduleRecord"];
            source: string;
            user_id: string;
        };
        /** TrackRow */
        TrackRow: {
            album: string | null;
            artist: string | null;
            listen_count: number;
            rank: number;
            song_id: string;
            title: string | null;
        };
        /** User */
        User: {
            avatar_url: string | null;
            /** Format: date-time */
            created_at: string | null;
            display_name: string | null;
            github_login: string | null;
            /** Format: date-time */
            updated_at: string | null;
            user_id: string;
        };
        /** UserExport */
        UserExport: {
            counts: {
                [key: string]: unknown;
            }[];
            /** Format: date-time */
            exported_at: string;
            listens: {
                [key: string]: unknown;
            }[];
            sources: {
                [key: string]: unknown;
            }[];
            user: {
                [key: string]: unknown;
            } | null;
            user_id: string;
        };
        /** UserList */
        UserList: {
            users: components["schemas"]["User"][];
        };
        /** UserMovementPage */
        UserMovementPage: {
            cached: boolean;
            /** @description whether retention still holds the previous window of the same length */
            covered: boolean;
            days: number;
            /** @description first UTC day */
            from: string;
            /** @enum {string} */
            kind: "tracks" | "artists";
            limit: number;
            offset: number;
            previous: {
                from: string;
                to: string;
                total: number;
            } | null;
            /** @description why movement is unknown (when not covered) */
            reason?: string;
            results: ((components["schemas"]["ArtistRow"] & components["schemas"]["RowMovement"]) | (components["schemas"]["TrackRow"] & components["schemas"]["RowMovement"]))[];
            /** @description last UTC day (inclusive) */
            to: string;
            total: number;
            user_id: string;
        };
        /** UserTopPage */
        UserTopPage: {
            cached: boolean;
            days: number;
            /** @description first UTC day */
            from: string;
            /** @description window start, ms since epoch (inclusive) */
            from_ts: number;
            /** @enum {string} */
            kind: "tracks" | "artists";
            /**
             * Format: date-time
             * @description when these counts were read from Cassandra (answers are invalidated when new listens are counted)
             */
            last_updated: string;
            limit: number;
            offset: number;
            results: (components["schemas"]["ArtistRow"] | components["schemas"]["TrackRow"])[];
            /** @description last UTC day (inclusive) */
            to: string;
            /** @description window end, ms since epoch (exclusive: 00:00 UTC after `to`) */
            to_ts: number;
            /** @description number of ranked entries in the window */
            total: number;
            user_id: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type ActivityReport = components['schemas']['ActivityReport'];
export type ArtistRow = components['schemas']['ArtistRow'];
export type CrawlList = components['schemas']['CrawlList'];
export type CrawlRecord = components['schemas']['CrawlRecord'];
export type DeleteReport = components['schemas']['DeleteReport'];
export type DiscoveriesReport = components['schemas']['DiscoveriesReport'];
export type ErrorBody = components['schemas']['ErrorBody'];
export type GlobalMovementPage = components['schemas']['GlobalMovementPage'];
export type GlobalTopPage = components['schemas']['GlobalTopPage'];
export type HeatmapReport = components['schemas']['HeatmapReport'];
export type ImportReport = components['schemas']['ImportReport'];
export type LastfmConfig = components['schemas']['LastfmConfig'];
export type Listen = components['schemas']['Listen'];
export type ListenBrainzConfig = components['schemas']['ListenBrainzConfig'];
export type ListensPage = components['schemas']['ListensPage'];
export type PipelineStatus = components['schemas']['PipelineStatus'];
export type Readiness = components['schemas']['Readiness'];
export type RowMovement = components['schemas']['RowMovement'];
export type ScheduleRecord = components['schemas']['ScheduleRecord'];
export type SimulatorConfig = components['schemas']['SimulatorConfig'];
export type SourceList = components['schemas']['SourceList'];
export type SourceRecord = components['schemas']['SourceRecord'];
export type TrackRow = components['schemas']['TrackRow'];
export type User = components['schemas']['User'];
export type UserExport = components['schemas']['UserExport'];
export type UserList = components['schemas']['UserList'];
export type UserMovementPage = components['schemas']['UserMovementPage'];
export type UserTopPage = components['schemas']['UserTopPage'];
export type $defs = Record<string, never>;
export interface operations {
    getHealthz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        status: string;
                        uptime_s: number;
                    };
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text exposition format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service (Cassandra, Kafka, Redis or the crawl service) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getOpenapiJson: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OpenAPI 3.1 document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getReadyz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not ready: see checks */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getUsersUserIdTopk: {
        parameters: {
            query?: {
                /** @description bypass the cache (read Cassandra, store nothing); same as Cache-Control: no-cache */
                cache?: "bypass";
                days?: number;
                k?: number;
            };
            header?: never;
            path: {
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cached?: boolean;
                        days?: number;
                        k?: number;
                        results?: {
                            artist?: string | null;
                            listen_count?: number;
                            rank?: number;
                            song_id?: string;
                            title?: string | null;
                        }[];
                        user_id?: string;
                    };
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service (Cassandra, Kafka, Redis or the crawl service) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getV1CrawlsCrawlId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                crawl_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CrawlRecord"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getV1Events: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The event stream: `event: changed` with the JSON above as `data`, until either side closes */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service (Cassandra, Kafka, Redis or the crawl service) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getV1Pipeline: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PipelineStatus"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getV1TopKind: {
        parameters: {
            query?: {
                /** @description bypass the cache (read Cassandra, store nothing); same as Cache-Control: no-cache */
                cache?: "bypass";
                limit?: number;
                offset?: number;
                /** @description the day window: `days` (last N UTC days), or `from` and `to` (UTC days, inclusive, `from` ≤ `to`, at most TOPK_RETENTION_DAYS apart); not both */
                window?: {
                    /** @description last N UTC days including today (1..7, default 7); not with from/to */
                    days?: number;
                    /**
                     * Format: date
                     * @description first UTC day (YYYY-MM-DD), with `to`
                     */
                    from?: string;
                    /**
                     * Format: date
                     * @description last UTC day (YYYY-MM-DD, inclusive), with `from`
                     */
                    to?: string;
                } | unknown | unknown;
            };
            header?: never;
            path: {
                kind: "tracks" | "artists";
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GlobalTopPage"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service (Cassandra, Kafka, Redis or the crawl service) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getV1TopKindMovement: {
        parameters: {
            query?: {
                /** @description bypass the cache (read Cassandra, store nothing); same as Cache-Control: no-cache */
                cache?: "bypass";
                limit?: number;
                offset?: number;
                /** @description the day window: `days` (last N UTC days), or `from` and `to` (UTC days, inclusive, `from` ≤ `to`, at most TOPK_RETENTION_DAYS apart); not both */
                window?: {
                    /** @description last N UTC days including today (1..7, default 7); not with from/to */
                    days?: number;
                    /**
                     * Format: date
                     * @description first UTC day (YYYY-MM-DD), with `to`
                     */
                    from?: string;
                    /**
                     * Format: date
                     * @description last UTC day (YYYY-MM-DD, inclusive), with `from`
                     */
                    to?: string;
                } | unknown | unknown;
            };
            header?: never;
            path: {
                kind: "tracks" | "artists";
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GlobalMovementPage"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service (Cassandra, Kafka, Redis or the crawl service) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getV1Users: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserList"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service (Cassandra, Kafka, Redis or the crawl service) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getV1UsersUserId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service (Cassandra, Kafka, Redis or the crawl service) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    putV1UsersUserId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    display_name?: string;
                } | null;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unsupported media type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service (Cassandra, Kafka, Redis or the crawl service) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    deleteV1UsersUserId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeleteReport"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service (Cassandra, Kafka, Redis or the crawl service) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getV1UsersUserIdActivity: {
        parameters: {
            query?: {
                /** @description bypass the cache (read Cassandra, store nothing); same as Cache-Control: no-cache */
                cache?: "bypass";
                /** @description the day window: `days` (last N UTC days), or `from` and `to` (UTC days, inclusive, `from` ≤ `to`, at most TOPK_RETENTION_DAYS apart); not both */
                window?: {
                    /** @description last N UTC days including today (1..7, default 7); not with from/to */
                    days?: number;
                    /**
                     * Format: date
                     * @description first UTC day (YYYY-MM-DD), with `to`
                     */
                    from?: string;
                    /**
                     * Format: date
                     * @description last UTC day (YYYY-MM-DD, inclusive), with `from`
                     */
                    to?: string;
                } | unknown | unknown;
            };
            header?: never;
            path: {
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ActivityReport"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service (Cassandra, Kafka, Redis or the crawl service) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getV1UsersUserIdCrawls: {
        parameters: {
            query?: {
                limit?: number;
                /** @description source name, e.g. listenbrainz or simulator */
                source?: string;
            };
            header?: never;
            path: {
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CrawlList"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    postV1UsersUserIdCrawls: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description a source the crawler supports
                     * @enum {string}
                     */
                    source: "simulator" | "listenbrainz" | "lastfm";
                };
            };
        };
        responses: {
            /** @description OK */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CrawlRecord"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unsupported media type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getV1UsersUserIdDiscoveries: {
        parameters: {
            query?: {
                /** @description bypass the cache (read Cassandra, store nothing); same as Cache-Control: no-cache */
                cache?: "bypass";
                limit?: number;
                /** @description the day window: `days` (last N UTC days), or `from` and `to` (UTC days, inclusive, `from` ≤ `to`, at most TOPK_RETENTION_DAYS apart); not both */
                window?: {
                    /** @description last N UTC days including today (1..7, default 7); not with from/to */
                    days?: number;
                    /**
                     * Format: date
                     * @description first UTC day (YYYY-MM-DD), with `to`
                     */
                    from?: string;
                    /**
                     * Format: date
                     * @description last UTC day (YYYY-MM-DD, inclusive), with `from`
                     */
                    to?: string;
                } | unknown | unknown;
            };
            header?: never;
            path: {
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DiscoveriesReport"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service (Cassandra, Kafka, Redis or the crawl service) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getV1UsersUserIdExport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The export, as an attachment */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserExport"];
                    "text/csv": string;
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service (Cassandra, Kafka, Redis or the crawl service) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getV1UsersUserIdFriendsTopKind: {
        parameters: {
            query?: {
                /** @description bypass the cache (read Cassandra, store nothing); same as Cache-Control: no-cache */
                cache?: "bypass";
                limit?: number;
                offset?: number;
                /** @description the day window: `days` (last N UTC days), or `from` and `to` (UTC days, inclusive, `from` ≤ `to`, at most TOPK_RETENTION_DAYS apart); not both */
                window?: {
                    /** @description last N UTC days including today (1..7, default 7); not with from/to */
                    days?: number;
                    /**
                     * Format: date
                     * @description first UTC day (YYYY-MM-DD), with `to`
                     */
                    from?: string;
                    /**
                     * Format: date
                     * @description last UTC day (YYYY-MM-DD, inclusive), with `from`
                     */
                    to?: string;
                } | unknown | unknown;
            };
            header?: never;
            path: {
                kind: "tracks" | "artists";
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserTopPage"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service (Cassandra, Kafka, Redis or the crawl service) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getV1UsersUserIdFriendsTopKindMovement: {
        parameters: {
            query?: {
                /** @description bypass the cache (read Cassandra, store nothing); same as Cache-Control: no-cache */
                cache?: "bypass";
                limit?: number;
                offset?: number;
                /** @description the day window: `days` (last N UTC days), or `from` and `to` (UTC days, inclusive, `from` ≤ `to`, at most TOPK_RETENTION_DAYS apart); not both */
                window?: {
                    /** @description last N UTC days including today (1..7, default 7); not with from/to */
                    days?: number;
                    /**
                     * Format: date
                     * @description first UTC day (YYYY-MM-DD), with `to`
                     */
                    from?: string;
                    /**
                     * Format: date
                     * @description last UTC day (YYYY-MM-DD, inclusive), with `from`
                     */
                    to?: string;
                } | unknown | unknown;
            };
            header?: never;
            path: {
                kind: "tracks" | "artists";
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserMovementPage"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service (Cassandra, Kafka, Redis or the crawl service) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getV1UsersUserIdHeatmap: {
        parameters: {
            query?: {
                /** @description bypass the cache (read Cassandra, store nothing); same as Cache-Control: no-cache */
                cache?: "bypass";
                /** @description IANA time zone (the document lists the canonical names; their aliases are accepted too), e.g. Europe/Berlin */
                tz?: "UTC" | "Africa/Abidjan" | "Africa/Accra" | "Africa/Addis_Ababa" | "Africa/Algiers" | "Africa/Asmera" | "Africa/Bamako" | "Africa/Bangui" | "Africa/Banjul" | "Africa/Bissau" | "Africa/Blantyre" | "Africa/Brazzaville" | "Africa/Bujumbura" | "Africa/Cairo" | "Africa/Casablanca" | "Africa/Ceuta" | "Africa/Conakry" | "Africa/Dakar" | "Africa/Dar_es_Salaam" | "Africa/Djibouti" | "Africa/Douala" | "Africa/El_Aaiun" | "Africa/Freetown" | "Africa/Gaborone" | "Africa/Harare" | "Africa/Johannesburg" | "Africa/Juba" | "Africa/Kampala" | "Africa/Khartoum" | "Africa/Kigali" | "Africa/Kinshasa" | "Africa/Lagos" | "Africa/Libreville" | "Africa/Lome" | "Africa/Luanda" | "Africa/Lubumbashi" | "Africa/Lusaka" | "Africa/Malabo" | "Africa/Maputo" | "Africa/Maseru" | "Africa/Mbabane" | "Africa/Mogadishu" | "Africa/Monrovia" | "Africa/Nairobi" | "Africa/Ndjamena" | "Africa/Niamey" | "Africa/Nouakchott" | "Africa/Ouagadougou" | "Africa/Porto-Novo" | "Africa/Sao_Tome" | "Africa/Tripoli" | "Africa/Tunis" | "Africa/Windhoek" | "America/Adak" | "America/Anchorage" | "America/Anguilla" | "America/Antigua" | "America/Araguaina" | "America/Argentina/La_Rioja" | "America/Argentina/Rio_Gallegos" | "America/Argentina/Salta" | "America/Argentina/San_Juan" | "America/Argentina/San_Luis" | "America/Argentina/Tucuman" | "America/Argentina/Ushuaia" | "America/Aruba" | "America/Asuncion" | "America/Bahia" | "America/Bahia_Banderas" | "America/Barbados" | "America/Belem" | "America/Belize" | "America/Blanc-Sablon" | "America/Boa_Vista" | "America/Bogota" | "America/Boise" | "America/Buenos_Aires" | "America/Cambridge_Bay" | "America/Campo_Grande" | "America/Cancun" | "America/Caracas" | "America/Catamarca" | "America/Cayenne" | "America/Cayman" | "America/Chicago" | "America/Chihuahua" | "America/Ciudad_Juarez" | "America/Coral_Harbour" | "America/Cordoba" | "America/Costa_Rica" | "America/Coyhaique" | "America/Creston" | "America/Cuiaba" | "America/Curacao" | "America/Danmarkshavn" | "America/Dawson" | "America/Dawson_Creek" | "America/Denver" | "America/Detroit" | "America/Dominica" | "America/Edmonton" | "America/Eirunepe" | "America/El_Salvador" | "America/Fort_Nelson" | "America/Fortaleza" | "America/Glace_Bay" | "America/Godthab" | "America/Goose_Bay" | "America/Grand_Turk" | "America/Grenada" | "America/Guadeloupe" | "America/Guatemala" | "America/Guayaquil" | "America/Guyana" | "America/Halifax" | "America/Havana" | "America/Hermosillo" | "America/Indiana/Knox" | "America/Indiana/Marengo" | "America/Indiana/Petersburg" | "America/Indiana/Tell_City" | "America/Indiana/Vevay" | "America/Indiana/Vincennes" | "America/Indiana/Winamac" | "America/Indianapolis" | "America/Inuvik" | "America/Iqaluit" | "America/Jamaica" | "America/Jujuy" | "America/Juneau" | "America/Kentucky/Monticello" | "America/Kralendijk" | "America/La_Paz" | "America/Lima" | "America/Los_Angeles" | "America/Louisville" | "America/Lower_Princes" | "America/Maceio" | "America/Managua" | "America/Manaus" | "America/Marigot" | "America/Martinique" | "America/Matamoros" | "America/Mazatlan" | "America/Mendoza" | "America/Menominee" | "America/Merida" | "America/Metlakatla" | "America/Mexico_City" | "America/Miquelon" | "America/Moncton" | "America/Monterrey" | "America/Montevideo" | "America/Montserrat" | "America/Nassau" | "America/New_York" | "America/Nome" | "America/Noronha" | "America/North_Dakota/Beulah" | "America/North_Dakota/Center" | "America/North_Dakota/New_Salem" | "America/Ojinaga" | "America/Panama" | "America/Paramaribo" | "America/Phoenix" | "America/Port-au-Prince" | "America/Port_of_Spain" | "America/Porto_Velho" | "America/Puerto_Rico" | "America/Punta_Arenas" | "America/Rankin_Inlet" | "America/Recife" | "America/Regina" | "America/Resolute" | "America/Rio_Branco" | "America/Santarem" | "America/Santiago" | "America/Santo_Domingo" | "America/Sao_Paulo" | "America/Scoresbysund" | "America/Sitka" | "America/St_Barthelemy" | "America/St_Johns" | "America/St_Kitts" | "America/St_Lucia" | "America/St_Thomas" | "America/St_Vincent" | "America/Swift_Current" | "America/Tegucigalpa" | "America/Thule" | "America/Tijuana" | "America/Toronto" | "America/Tortola" | "America/Vancouver" | "America/Whitehorse" | "America/Winnipeg" | "America/Yakutat" | "Antarctica/Casey" | "Antarctica/Davis" | "Antarctica/DumontDUrville" | "Antarctica/Macquarie" | "Antarctica/Mawson" | "Antarctica/McMurdo" | "Antarctica/Palmer" | "Antarctica/Rothera" | "Antarctica/Syowa" | "Antarctica/Troll" | "Antarctica/Vostok" | "Arctic/Longyearbyen" | "Asia/Aden" | "Asia/Almaty" | "Asia/Amman" | "Asia/Anadyr" | "Asia/Aqtau" | "Asia/Aqtobe" | "Asia/Ashgabat" | "Asia/Atyrau" | "Asia/Baghdad" | "Asia/Bahrain" | "Asia/Baku" | "Asia/Bangkok" | "Asia/Barnaul" | "Asia/Beirut" | "Asia/Bishkek" | "Asia/Brunei" | "Asia/Calcutta" | "Asia/Chita" | "Asia/Colombo" | "Asia/Damascus" | "Asia/Dhaka" | "Asia/Dili" | "Asia/Dubai" | "Asia/Dushanbe" | "Asia/Famagusta" | "Asia/Gaza" | "Asia/Hebron" | "Asia/Hong_Kong" | "Asia/Hovd" | "Asia/Irkutsk" | "Asia/Jakarta" | "Asia/Jayapura" | "Asia/Jerusalem" | "Asia/Kabul" | "Asia/Kamchatka" | "Asia/Karachi" | "Asia/Katmandu" | "Asia/Khandyga" | "Asia/Krasnoyarsk" | "Asia/Kuala_Lumpur" | "Asia/Kuching" | "Asia/Kuwait" | "Asia/Macau" | "Asia/Magadan" | "Asia/Makassar" | "Asia/Manila" | "Asia/Muscat" | "Asia/Nicosia" | "Asia/Novokuznetsk" | "Asia/Novosibirsk" | "Asia/Omsk" | "Asia/Oral" | "Asia/Phnom_Penh" | "Asia/Pontianak" | "Asia/Pyongyang" | "Asia/Qatar" | "Asia/Qostanay" | "Asia/Qyzylorda" | "Asia/Rangoon" | "Asia/Riyadh" | "Asia/Saigon" | "Asia/Sakhalin" | "Asia/Samarkand" | "Asia/Seoul" | "Asia/Shanghai" | "Asia/Singapore" | "Asia/Srednekolymsk" | "Asia/Taipei" | "Asia/Tashkent" | "Asia/Tbilisi" | "Asia/Tehran" | "Asia/Thimphu" | "Asia/Tokyo" | "Asia/Tomsk" | "Asia/Ulaanbaatar" | "Asia/Urumqi" | "Asia/Ust-Nera" | "Asia/Vientiane" | "Asia/Vladivostok" | "Asia/Yakutsk" | "Asia/Yekaterinburg" | "Asia/Yerevan" | "Atlantic/Azores" | "Atlantic/Bermuda" | "Atlantic/Canary" | "Atlantic/Cape_Verde" | "Atlantic/Faeroe" | "Atlantic/Madeira" | "Atlantic/Reykjavik" | "Atlantic/South_Georgia" | "Atlantic/St_Helena" | "Atlantic/Stanley" | "Australia/Adelaide" | "Australia/Brisbane" | "Australia/Broken_Hill" | "Australia/Darwin" | "Australia/Eucla" | "Australia/Hobart" | "Australia/Lindeman" | "Australia/Lord_Howe" | "Australia/Melbourne" | "Australia/Perth" | "Australia/Sydney" | "Europe/Amsterdam" | "Europe/Andorra" | "Europe/Astrakhan" | "Europe/Athens" | "Europe/Belgrade" | "Europe/Berlin" | "Europe/Bratislava" | "Europe/Brussels" | "Europe/Bucharest" | "Europe/Budapest" | "Europe/Busingen" | "Europe/Chisinau" | "Europe/Copenhagen" | "Europe/Dublin" | "Europe/Gibraltar" | "Europe/Guernsey" | "Europe/Helsinki" | "Europe/Isle_of_Man" | "Europe/Istanbul" | "Europe/Jersey" | "Europe/Kaliningrad" | "Europe/Kiev" | "Europe/Kirov" | "Europe/Lisbon" | "Europe/Ljubljana" | "Europe/London" | "Europe/Luxembourg" | "Europe/Madrid" | "Europe/Malta" | "Europe/Mariehamn" | "Europe/Minsk" | "Europe/Monaco" | "Europe/Moscow" | "Europe/Oslo" | "Europe/Paris" | "Europe/Podgorica" | "Europe/Prague" | "Europe/Riga" | "Europe/Rome" | "Europe/Samara" | "Europe/San_Marino" | "Europe/Sarajevo" | "Europe/Saratov" | "Europe/Simferopol" | "Europe/Skopje" | "Europe/Sofia" | "Europe/Stockholm" | "Europe/Tallinn" | "Europe/Tirane" | "Europe/Ulyanovsk" | "Europe/Vaduz" | "Europe/Vatican" | "Europe/Vienna" | "Europe/Vilnius" | "Europe/Volgograd" | "Europe/Warsaw" | "Europe/Zagreb" | "Europe/Zurich" | "Indian/Antananarivo" | "Indian/Chagos" | "Indian/Christmas" | "Indian/Cocos" | "Indian/Comoro" | "Indian/Kerguelen" | "Indian/Mahe" | "Indian/Maldives" | "Indian/Mauritius" | "Indian/Mayotte" | "Indian/Reunion" | "Pacific/Apia" | "Pacific/Auckland" | "Pacific/Bougainville" | "Pacific/Chatham" | "Pacific/Easter" | "Pacific/Efate" | "Pacific/Enderbury" | "Pacific/Fakaofo" | "Pacific/Fiji" | "Pacific/Funafuti" | "Pacific/Galapagos" | "Pacific/Gambier" | "Pacific/Guadalcanal" | "Pacific/Guam" | "Pacific/Honolulu" | "Pacific/Kiritimati" | "Pacific/Kosrae" | "Pacific/Kwajalein" | "Pacific/Majuro" | "Pacific/Marquesas" | "Pacific/Midway" | "Pacific/Nauru" | "Pacific/Niue" | "Pacific/Norfolk" | "Pacific/Noumea" | "Pacific/Pago_Pago" | "Pacific/Palau" | "Pacific/Pitcairn" | "Pacific/Ponape" | "Pacific/Port_Moresby" | "Pacific/Rarotonga" | "Pacific/Saipan" | "Pacific/Tahiti" | "Pacific/Tarawa" | "Pacific/Tongatapu" | "Pacific/Truk" | "Pacific/Wake" | "Pacific/Wallis";
                /** @description the day window: `days` (last N UTC days), or `from` and `to` (UTC days, inclusive, `from` ≤ `to`, at most TOPK_RETENTION_DAYS apart); not both */
                window?: {
                    /** @description last N UTC days including today (1..7, default 7); not with from/to */
                    days?: number;
                    /**
                     * Format: date
                     * @description first UTC day (YYYY-MM-DD), with `to`
                     */
                    from?: string;
                    /**
                     * Format: date
                     * @description last UTC day (YYYY-MM-DD, inclusive), with `from`
                     */
                    to?: string;
                } | unknown | unknown;
            };
            header?: never;
            path: {
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HeatmapReport"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service (Cassandra, Kafka, Redis or the crawl service) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    postV1UsersUserIdImports: {
        parameters: {
            query?: {
                filename?: string;
                /** @description IANA time zone (the document lists the canonical names; their aliases are accepted too) */
                timezone?: "UTC" | "Africa/Abidjan" | "Africa/Accra" | "Africa/Addis_Ababa" | "Africa/Algiers" | "Africa/Asmera" | "Africa/Bamako" | "Africa/Bangui" | "Africa/Banjul" | "Africa/Bissau" | "Africa/Blantyre" | "Africa/Brazzaville" | "Africa/Bujumbura" | "Africa/Cairo" | "Africa/Casablanca" | "Africa/Ceuta" | "Africa/Conakry" | "Africa/Dakar" | "Africa/Dar_es_Salaam" | "Africa/Djibouti" | "Africa/Douala" | "Africa/El_Aaiun" | "Africa/Freetown" | "Africa/Gaborone" | "Africa/Harare" | "Africa/Johannesburg" | "Africa/Juba" | "Africa/Kampala" | "Africa/Khartoum" | "Africa/Kigali" | "Africa/Kinshasa" | "Africa/Lagos" | "Africa/Libreville" | "Africa/Lome" | "Africa/Luanda" | "Africa/Lubumbashi" | "Africa/Lusaka" | "Africa/Malabo" | "Africa/Maputo" | "Africa/Maseru" | "Africa/Mbabane" | "Africa/Mogadishu" | "Africa/Monrovia" | "Africa/Nairobi" | "Africa/Ndjamena" | "Africa/Niamey" | "Africa/Nouakchott" | "Africa/Ouagadougou" | "Africa/Porto-Novo" | "Africa/Sao_Tome" | "Africa/Tripoli" | "Africa/Tunis" | "Africa/Windhoek" | "America/Adak" | "America/Anchorage" | "America/Anguilla" | "America/Antigua" | "America/Araguaina" | "America/Argentina/La_Rioja" | "America/Argentina/Rio_Gallegos" | "America/Argentina/Salta" | "America/Argentina/San_Juan" | "America/Argentina/San_Luis" | "America/Argentina/Tucuman" | "America/Argentina/Ushuaia" | "America/Aruba" | "America/Asuncion" | "America/Bahia" | "America/Bahia_Banderas" | "America/Barbados" | "America/Belem" | "America/Belize" | "America/Blanc-Sablon" | "America/Boa_Vista" | "America/Bogota" | "America/Boise" | "America/Buenos_Aires" | "America/Cambridge_Bay" | "America/Campo_Grande" | "America/Cancun" | "America/Caracas" | "America/Catamarca" | "America/Cayenne" | "America/Cayman" | "America/Chicago" | "America/Chihuahua" | "America/Ciudad_Juarez" | "America/Coral_Harbour" | "America/Cordoba" | "America/Costa_Rica" | "America/Coyhaique" | "America/Creston" | "America/Cuiaba" | "America/Curacao" | "America/Danmarkshavn" | "America/Dawson" | "America/Dawson_Creek" | "America/Denver" | "America/Detroit" | "America/Dominica" | "America/Edmonton" | "America/Eirunepe" | "America/El_Salvador" | "America/Fort_Nelson" | "America/Fortaleza" | "America/Glace_Bay" | "America/Godthab" | "America/Goose_Bay" | "America/Grand_Turk" | "America/Grenada" | "America/Guadeloupe" | "America/Guatemala" | "America/Guayaquil" | "America/Guyana" | "America/Halifax" | "America/Havana" | "America/Hermosillo" | "America/Indiana/Knox" | "America/Indiana/Marengo" | "America/Indiana/Petersburg" | "America/Indiana/Tell_City" | "America/Indiana/Vevay" | "America/Indiana/Vincennes" | "America/Indiana/Winamac" | "America/Indianapolis" | "America/Inuvik" | "America/Iqaluit" | "America/Jamaica" | "America/Jujuy" | "America/Juneau" | "America/Kentucky/Monticello" | "America/Kralendijk" | "America/La_Paz" | "America/Lima" | "America/Los_Angeles" | "America/Louisville" | "America/Lower_Princes" | "America/Maceio" | "America/Managua" | "America/Manaus" | "America/Marigot" | "America/Martinique" | "America/Matamoros" | "America/Mazatlan" | "America/Mendoza" | "America/Menominee" | "America/Merida" | "America/Metlakatla" | "America/Mexico_City" | "America/Miquelon" | "America/Moncton" | "America/Monterrey" | "America/Montevideo" | "America/Montserrat" | "America/Nassau" | "America/New_York" | "America/Nome" | "America/Noronha" | "America/North_Dakota/Beulah" | "America/North_Dakota/Center" | "America/North_Dakota/New_Salem" | "America/Ojinaga" | "America/Panama" | "America/Paramaribo" | "America/Phoenix" | "America/Port-au-Prince" | "America/Port_of_Spain" | "America/Porto_Velho" | "America/Puerto_Rico" | "America/Punta_Arenas" | "America/Rankin_Inlet" | "America/Recife" | "America/Regina" | "America/Resolute" | "America/Rio_Branco" | "America/Santarem" | "America/Santiago" | "America/Santo_Domingo" | "America/Sao_Paulo" | "America/Scoresbysund" | "America/Sitka" | "America/St_Barthelemy" | "America/St_Johns" | "America/St_Kitts" | "America/St_Lucia" | "America/St_Thomas" | "America/St_Vincent" | "America/Swift_Current" | "America/Tegucigalpa" | "America/Thule" | "America/Tijuana" | "America/Toronto" | "America/Tortola" | "America/Vancouver" | "America/Whitehorse" | "America/Winnipeg" | "America/Yakutat" | "Antarctica/Casey" | "Antarctica/Davis" | "Antarctica/DumontDUrville" | "Antarctica/Macquarie" | "Antarctica/Mawson" | "Antarctica/McMurdo" | "Antarctica/Palmer" | "Antarctica/Rothera" | "Antarctica/Syowa" | "Antarctica/Troll" | "Antarctica/Vostok" | "Arctic/Longyearbyen" | "Asia/Aden" | "Asia/Almaty" | "Asia/Amman" | "Asia/Anadyr" | "Asia/Aqtau" | "Asia/Aqtobe" | "Asia/Ashgabat" | "Asia/Atyrau" | "Asia/Baghdad" | "Asia/Bahrain" | "Asia/Baku" | "Asia/Bangkok" | "Asia/Barnaul" | "Asia/Beirut" | "Asia/Bishkek" | "Asia/Brunei" | "Asia/Calcutta" | "Asia/Chita" | "Asia/Colombo" | "Asia/Damascus" | "Asia/Dhaka" | "Asia/Dili" | "Asia/Dubai" | "Asia/Dushanbe" | "Asia/Famagusta" | "Asia/Gaza" | "Asia/Hebron" | "Asia/Hong_Kong" | "Asia/Hovd" | "Asia/Irkutsk" | "Asia/Jakarta" | "Asia/Jayapura" | "Asia/Jerusalem" | "Asia/Kabul" | "Asia/Kamchatka" | "Asia/Karachi" | "Asia/Katmandu" | "Asia/Khandyga" | "Asia/Krasnoyarsk" | "Asia/Kuala_Lumpur" | "Asia/Kuching" | "Asia/Kuwait" | "Asia/Macau" | "Asia/Magadan" | "Asia/Makassar" | "Asia/Manila" | "Asia/Muscat" | "Asia/Nicosia" | "Asia/Novokuznetsk" | "Asia/Novosibirsk" | "Asia/Omsk" | "Asia/Oral" | "Asia/Phnom_Penh" | "Asia/Pontianak" | "Asia/Pyongyang" | "Asia/Qatar" | "Asia/Qostanay" | "Asia/Qyzylorda" | "Asia/Rangoon" | "Asia/Riyadh" | "Asia/Saigon" | "Asia/Sakhalin" | "Asia/Samarkand" | "Asia/Seoul" | "Asia/Shanghai" | "Asia/Singapore" | "Asia/Srednekolymsk" | "Asia/Taipei" | "Asia/Tashkent" | "Asia/Tbilisi" | "Asia/Tehran" | "Asia/Thimphu" | "Asia/Tokyo" | "Asia/Tomsk" | "Asia/Ulaanbaatar" | "Asia/Urumqi" | "Asia/Ust-Nera" | "Asia/Vientiane" | "Asia/Vladivostok" | "Asia/Yakutsk" | "Asia/Yekaterinburg" | "Asia/Yerevan" | "Atlantic/Azores" | "Atlantic/Bermuda" | "Atlantic/Canary" | "Atlantic/Cape_Verde" | "Atlantic/Faeroe" | "Atlantic/Madeira" | "Atlantic/Reykjavik" | "Atlantic/South_Georgia" | "Atlantic/St_Helena" | "Atlantic/Stanley" | "Australia/Adelaide" | "Australia/Brisbane" | "Australia/Broken_Hill" | "Australia/Darwin" | "Australia/Eucla" | "Australia/Hobart" | "Australia/Lindeman" | "Australia/Lord_Howe" | "Australia/Melbourne" | "Australia/Perth" | "Australia/Sydney" | "Europe/Amsterdam" | "Europe/Andorra" | "Europe/Astrakhan" | "Europe/Athens" | "Europe/Belgrade" | "Europe/Berlin" | "Europe/Bratislava" | "Europe/Brussels" | "Europe/Bucharest" | "Europe/Budapest" | "Europe/Busingen" | "Europe/Chisinau" | "Europe/Copenhagen" | "Europe/Dublin" | "Europe/Gibraltar" | "Europe/Guernsey" | "Europe/Helsinki" | "Europe/Isle_of_Man" | "Europe/Istanbul" | "Europe/Jersey" | "Europe/Kaliningrad" | "Europe/Kiev" | "Europe/Kirov" | "Europe/Lisbon" | "Europe/Ljubljana" | "Europe/London" | "Europe/Luxembourg" | "Europe/Madrid" | "Europe/Malta" | "Europe/Mariehamn" | "Europe/Minsk" | "Europe/Monaco" | "Europe/Moscow" | "Europe/Oslo" | "Europe/Paris" | "Europe/Podgorica" | "Europe/Prague" | "Europe/Riga" | "Europe/Rome" | "Europe/Samara" | "Europe/San_Marino" | "Europe/Sarajevo" | "Europe/Saratov" | "Europe/Simferopol" | "Europe/Skopje" | "Europe/Sofia" | "Europe/Stockholm" | "Europe/Tallinn" | "Europe/Tirane" | "Europe/Ulyanovsk" | "Europe/Vaduz" | "Europe/Vatican" | "Europe/Vienna" | "Europe/Vilnius" | "Europe/Volgograd" | "Europe/Warsaw" | "Europe/Zagreb" | "Europe/Zurich" | "Indian/Antananarivo" | "Indian/Chagos" | "Indian/Christmas" | "Indian/Cocos" | "Indian/Comoro" | "Indian/Kerguelen" | "Indian/Mahe" | "Indian/Maldives" | "Indian/Mauritius" | "Indian/Mayotte" | "Indian/Reunion" | "Pacific/Apia" | "Pacific/Auckland" | "Pacific/Bougainville" | "Pacific/Chatham" | "Pacific/Easter" | "Pacific/Efate" | "Pacific/Enderbury" | "Pacific/Fakaofo" | "Pacific/Fiji" | "Pacific/Funafuti" | "Pacific/Galapagos" | "Pacific/Gambier" | "Pacific/Guadalcanal" | "Pacific/Guam" | "Pacific/Honolulu" | "Pacific/Kiritimati" | "Pacific/Kosrae" | "Pacific/Kwajalein" | "Pacific/Majuro" | "Pacific/Marquesas" | "Pacific/Midway" | "Pacific/Nauru" | "Pacific/Niue" | "Pacific/Norfolk" | "Pacific/Noumea" | "Pacific/Pago_Pago" | "Pacific/Palau" | "Pacific/Pitcairn" | "Pacific/Ponape" | "Pacific/Port_Moresby" | "Pacific/Rarotonga" | "Pacific/Saipan" | "Pacific/Tahiti" | "Pacific/Tarawa" | "Pacific/Tongatapu" | "Pacific/Truk" | "Pacific/Wake" | "Pacific/Wallis";
            };
            header?: never;
            path: {
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
                "application/jsonl": string;
                "application/octet-stream": string;
                "application/x-ndjson": string;
                "application/x-zip-compressed": string;
                "application/zip": string;
                "text/csv": string;
                "text/plain": string;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportReport"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unsupported media type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getV1UsersUserIdListens: {
        parameters: {
            query?: {
                /** @description ms since epoch (exclusive) */
                before?: number;
                limit?: number;
            };
            header?: never;
            path: {
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListensPage"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service (Cassandra, Kafka, Redis or the crawl service) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getV1UsersUserIdSources: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SourceList"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    postV1UsersUserIdSourcesSourceCrawls: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a source the crawler supports */
                source: "simulator" | "listenbrainz" | "lastfm";
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CrawlRecord"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    patchV1UsersUserIdSourcesSourceSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description source name, e.g. listenbrainz or simulator */
                source: string;
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    interval_seconds?: number;
                    paused?: boolean;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScheduleRecord"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unsupported media type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    putV1UsersUserIdSourcesLastfm: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LastfmConfig"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SourceRecord"];
                };
            };
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SourceRecord"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unsupported media type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    deleteV1UsersUserIdSourcesLastfm: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    putV1UsersUserIdSourcesListenbrainz: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ListenBrainzConfig"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SourceRecord"];
                };
            };
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SourceRecord"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unsupported media type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    deleteV1UsersUserIdSourcesListenbrainz: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    putV1UsersUserIdSourcesSimulator: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["SimulatorConfig"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SourceRecord"];
                };
            };
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SourceRecord"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unsupported media type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    deleteV1UsersUserIdSourcesSimulator: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getV1UsersUserIdTopKind: {
        parameters: {
            query?: {
                /** @description bypass the cache (read Cassandra, store nothing); same as Cache-Control: no-cache */
                cache?: "bypass";
                limit?: number;
                offset?: number;
                /** @description the day window: `days` (last N UTC days), or `from` and `to` (UTC days, inclusive, `from` ≤ `to`, at most TOPK_RETENTION_DAYS apart); not both */
                window?: {
                    /** @description last N UTC days including today (1..7, default 7); not with from/to */
                    days?: number;
                    /**
                     * Format: date
                     * @description first UTC day (YYYY-MM-DD), with `to`
                     */
                    from?: string;
                    /**
                     * Format: date
                     * @description last UTC day (YYYY-MM-DD, inclusive), with `from`
                     */
                    to?: string;
                } | unknown | unknown;
            };
            header?: never;
            path: {
                kind: "tracks" | "artists";
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserTopPage"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service (Cassandra, Kafka, Redis or the crawl service) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getV1UsersUserIdTopKindMovement: {
        parameters: {
            query?: {
                /** @description bypass the cache (read Cassandra, store nothing); same as Cache-Control: no-cache */
                cache?: "bypass";
                limit?: number;
                offset?: number;
                /** @description the day window: `days` (last N UTC days), or `from` and `to` (UTC days, inclusive, `from` ≤ `to`, at most TOPK_RETENTION_DAYS apart); not both */
                window?: {
                    /** @description last N UTC days including today (1..7, default 7); not with from/to */
                    days?: number;
                    /**
                     * Format: date
                     * @description first UTC day (YYYY-MM-DD), with `to`
                     */
                    from?: string;
                    /**
                     * Format: date
                     * @description last UTC day (YYYY-MM-DD, inclusive), with `from`
                     */
                    to?: string;
                } | unknown | unknown;
            };
            header?: never;
            path: {
                kind: "tracks" | "artists";
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserMovementPage"];
                };
            };
            /** @description Invalid input; `field` names the offending parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or wrong bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Host header or Origin not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A backing service (Cassandra, Kafka, Redis or the crawl service) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
}

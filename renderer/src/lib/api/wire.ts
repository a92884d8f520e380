/**
 * The wire types the UI uses, from their one definition: the engine API's are
 * generated from its OpenAPI document (engine/api/wire-types.ts, `npm run
 * wire-types`), the control server's are main/control/control-wire.ts. Types
 * only: nothing of the engine or the control plane reaches the bundle.
 */
export type {
  ActivityReport,
  ArtistRow,
  CrawlRecord,
  DiscoveriesReport,
  ErrorBody,
  GlobalMovementPage,
  GlobalTopPage,
  HeatmapReport,
  ImportReport,
  Listen,
  ListensPage,
  RowMovement,
  PipelineStatus,
  ScheduleRecord,
  SourceRecord,
  TrackRow,
  User,
  UserMovementPage,
  UserTopPage,
  operations,
  paths,
} from '../../../../engine/api/wire-types';
export type {
  Account,
  AuthStateWire,
  DeviceFlowStart,
  DeviceFlowStatus,
  DoctorCheck,
  DoctorReport,
  GitHubAppStatus,
  KafkaMessageInfo,
  KafkaMessagesResult,
  KafkaOverview,
  KafkaTopicInfo,
  LogLevel,
  LogLine,
  PendingSignIn,
  ProcessInfo,
  ProgressEvent,
  ServiceName,
  StackStatus,
} from '../../../../main/control/control-wire';

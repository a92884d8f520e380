/** kafkajs's table of Kafka protocol errors (not part of its typed API; shipped in the package). */
declare module 'kafkajs/src/protocol/error.js' {
  export const errorCodes: ReadonlyArray<{ type: string; code: number; retriable: boolean; message: string }>;
}

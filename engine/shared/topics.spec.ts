import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { partitionOfUser } from './topics';

describe('partitionOfUser', () => {
  it("is kafkajs's default partitioner on the user id, the first time and every time after, for each partition count", () => {
    const partitioner = Partitioners.DefaultPartitioner();
    const metadata = (n: number) => Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
    // past the memo's bound (20 000 users a partition count), so answers after a clear are checked too
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 25_000; i += round === 0 ? 1 : 7) {
        const user = `user-${i}`;
        for (const n of [1, 6, 12]) {
          expect(partitionOfUser(user, n)).toBe(partitioner({ topic: 'listens', partitionMetadata: metadata(n), message: { key: user, value: null } }));
        }
      }
    }
  });
});

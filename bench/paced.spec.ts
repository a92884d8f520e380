import { describe, expect, it } from 'vitest';
import { sendPaced } from './paced';

/** A fake clock: sleep advances it; each send takes `sendMs` (or the next of a list). */
function clock(sendMs: number[] | number) {
  let t = 1000;
  const sends: Array<{ at: number; from: number; to: number }> = [];
  let i = 0;
  return {
    sends,
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
    send: async (from: number, to: number) => {
      sends.push({ at: t, from, to });
      t += Array.isArray(sendMs) ? (sendMs[i++] ?? 0) : sendMs;
    },
  };
}

describe('sendPaced', () => {
  it('sends what is due once a tick, in order, every item once', async () => {
    const c = clock(5);
    await sendPaced(1000, 2000, c.send, { now: c.now, sleep: c.sleep });
    // 2 000/s at 100 ms ticks: 200 items a tick, five ticks
    expect(c.sends.map((s) => s.to - s.from)).toEqual([200, 200, 200, 200, 200]);
    expect(c.sends.map((s) => s.at - 1000)).toEqual([100, 200, 300, 400, 500]);
    for (let k = 1; k < c.sends.length; k++) expect(c.sends[k]!.from).toBe(c.sends[k - 1]!.to);
    expect(c.sends.at(-1)!.to).toBe(1000);
  });

  it('does not send between ticks, however fast acknowledgements come', async () => {
    const c = clock(0);
    await sendPaced(12_150, 12_150, c.send, { now: c.now, sleep: c.sleep });
    // one second of items in ten sends, not one per acknowledgement
    expect(c.sends).toHaveLength(10);
  });

  it('catches up after a slow send: the next tick begins at once with everything due', async () => {
    const c = clock([350, 5, 5, 5, 5, 5, 5, 5, 5, 5]);
    await sendPaced(1000, 1000, c.send, { now: c.now, sleep: c.sleep });
    expect(c.sends[0]).toEqual({ at: 1100, from: 0, to: 100 });
    // the first send ended at 1450: the second tick starts then, with 450 ms due
    expect(c.sends[1]).toEqual({ at: 1450, from: 100, to: 450 });
    expect(c.sends[2]!.at).toBe(1550);
    expect(c.sends.at(-1)!.to).toBe(1000);
  });

  it('stops when beforeTick throws (a dead pipeline), and refuses a rate that is not positive', async () => {
    const c = clock(1);
    let ticks = 0;
    const beforeTick = () => {
      if (++ticks === 3) throw new Error('the aggregator exited');
    };
    await expect(sendPaced(1000, 1000, c.send, { now: c.now, sleep: c.sleep, beforeTick })).rejects.toThrow('the aggregator exited');
    expect(c.sends).toHaveLength(2);
    await expect(sendPaced(10, 0, c.send)).rejects.toThrow(RangeError);
  });
});

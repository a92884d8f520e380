import { readFileSync } from 'node:fs';
import { canListen } from '../../main/stack/probes';

/**
 * The local ports the kernel hands to outgoing connections (Linux's ip_local_port_range; the
 * usual default elsewhere). A port the OS picks for `listen(0)` comes from this range too, so a
 * service bound to it minutes later (after jars are fetched, say) can find it taken by any
 * connection made meanwhile — a probe, a driver, Kafka's own client. Below the range nothing
 * takes a port unasked.
 */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 20_000) return low;
  } catch {
    // not Linux: IANA's dynamic range starts here
  }
  return 32_768;
}

const handedOut = new Set<number>();

/**
 * `span` consecutive ports on 127.0.0.1, free now and below the range of outgoing connections'
 * ports, for a service a test starts later (Kafka's controller and Cassandra's storage port sit at
 * port+1: span 2). Never the same port twice in one test file; integration files run one at a time.
 */
export async function quietPorts(span = 1): Promise<number> {
  const low = 20_000;
  const high = ephemeralLow() - span;
  for (let i = 0; i < 200; i++) {
    const port = low + Math.floor(Math.random() * (high - low));
    const ports = Array.from({ length: span }, (_, k) => port + k);
    if (ports.some((p) => handedOut.has(p))) continue;
    let free = 0;
    while (free < span && (await canListen('127.0.0.1', ports[free]!))) free++;
    if (free === span) {
      for (const p of ports) handedOut.add(p);
      return port;
    }
  }
  throw new Error(`no ${span} free consecutive ports found below ${ephemeralLow()}`);
}

/** A free port p with p+1 free too (Kafka's controller, Cassandra's storage port sit at p+1). */
export function freePortPair(): Promise<number> {
  return quietPorts(2);
}

import type { Client } from './api/client';

let current: Client | undefined;

/** The one API client of the app; set at startup (tests set their own). */
export function setClient(c: Client): void {
  current = c;
}

export function client(): Client {
  if (!current) throw new Error('client not initialised');
  return current;
}

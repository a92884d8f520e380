/**
 * The control server with nothing behind it but the routes under test: no engine processes,
 * no stack, the API proxy pointed at a closed port (9). What the tests of its routes, guards
 * and proxy start; `options` overrides any of it.
 */
import { startControlServer } from '../../main/control/control-server';
import type { ControlServerHandle, ControlServerOptions, ProcessControl, StackControl } from '../../main/control/control-server';
import { LogStore } from '../../main/logs/log-store';

/** No engine processes: the list is empty and a restart is refused. */
export const NO_PROCESSES: ProcessControl = { names: [], list: async () => [], restart: async (name) => Promise.reject(new Error(`no process ${name}`)) };

/** No stack: status is empty, up and down do nothing, there is no progress. */
export const NO_STACK: StackControl = { status: async () => ({}), up: async () => undefined, down: async () => undefined, progress: () => [], onProgress: () => ({ dispose: () => undefined }) };

export function startBareControlServer(options: Partial<ControlServerOptions> & Pick<ControlServerOptions, 'token'>): Promise<ControlServerHandle> {
  return startControlServer({
    port: 0,
    api: { host: '127.0.0.1', port: 9 },
    logs: new LogStore({ secrets: [options.token] }),
    processes: NO_PROCESSES,
    stack: NO_STACK,
    ...options,
  });
}

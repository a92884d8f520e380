import type { Connection } from '../connection';
import { ControlApi } from './control';
import { EngineApi } from './engine';
import { Http } from './http';
import { InspectApi } from './inspect';

export interface Client {
  http: Http;
  engine: EngineApi;
  control: ControlApi;
  inspect: InspectApi;
  openExternal: (url: string) => void;
}

export function createClient(conn: Connection, fetchImpl?: typeof fetch): Client {
  const http = new Http({ baseUrl: conn.baseUrl, token: conn.token, fetch: fetchImpl });
  return { http, engine: new EngineApi(http), control: new ControlApi(http), inspect: new InspectApi(http), openExternal: conn.openExternal };
}

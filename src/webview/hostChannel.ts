import { HOST_RESULT_SCHEMAS, ToWebviewSchema, type HostEvent, type HostRequest, type WebviewEvent, type WebviewRequest } from '../protocol/viewerMessages';
import { PageChannel } from './pageChannel';

/** The viewer page's end of the viewer protocol (src/protocol/viewerMessages.ts). */
export class HostChannel extends PageChannel<HostRequest, WebviewEvent, WebviewRequest, HostEvent, typeof HOST_RESULT_SCHEMAS> {
  constructor(onRequest: (request: WebviewRequest) => Promise<unknown>, onEvent: (event: HostEvent) => void, onInvalid: (reason: string) => void) {
    super({ fromHost: ToWebviewSchema, hostResults: HOST_RESULT_SCHEMAS }, onRequest, onEvent, onInvalid);
  }
}

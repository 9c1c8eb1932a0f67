import { HOST_RESULT_SCHEMAS, ToWebviewSchema, type HostRequest, type WebviewEvent, type WebviewRequest } from '../../protocol/resultsMessages';
import { PageChannel } from '../pageChannel';

/** The results page's end of the results-view protocol (src/protocol/resultsMessages.ts); the host sends it no events. */
export class ResultsHostChannel extends PageChannel<HostRequest, WebviewEvent, WebviewRequest, never, typeof HOST_RESULT_SCHEMAS> {
  constructor(onRequest: (request: WebviewRequest) => Promise<unknown>, onInvalid: (reason: string) => void) {
    super({ fromHost: ToWebviewSchema, hostResults: HOST_RESULT_SCHEMAS }, onRequest, () => undefined, onInvalid);
  }
}

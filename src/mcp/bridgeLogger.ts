/**
 * The sink for what the bridge reports: sessions opened and closed, refused requests and
 * deliveries that failed. The `elicit` command passes its logger; a library user may
 * pass any object with these two methods. Messages never contain a token or a secret.
 */
export interface BridgeLogger {
  info(message: string): void;
  error(message: string): void;
}

export const silentLogger: BridgeLogger = { info: () => undefined, error: () => undefined };

/** Which local addresses listen on a TCP port, read from Linux's socket tables. */
import { existsSync, readFileSync } from 'node:fs';

/** The IPv4 loopback address 127.0.0.1 as /proc/net/tcp writes it. */
export const loopbackHex = '0100007F';

/**
 * Lists the local addresses, in /proc's hexadecimal form, of the sockets listening on
 * `port`. Returns `undefined` where /proc/net/tcp does not exist.
 */
export function listeningAddresses(port: number): string[] | undefined {
  if (!existsSync('/proc/net/tcp')) return undefined;

  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6']
    .filter((path) => existsSync(path))
    .flatMap((path) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .slice(1)
        .map((line) => line.trim().split(/\s+/))
        // Field 1 is the local address and port, field 3 the socket state, where 0A is LISTEN.
        .filter((fields) => fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A')
        .map((fields) => fields[1]!.split(':')[0]!),
    );
}

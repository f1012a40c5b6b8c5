/**
 * The HTTP pieces of the bridge that the SDK's transport does not cover: reading a bounded
 * JSON body, and answering a refused request with a status and a JSON-RPC error body, in
 * the form the SDK's own transport uses for its errors.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request refused before it reaches an MCP session. */
export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly rpcCode: number = -32000,
  ) {
    super(message);
  }
}

export function writeJsonRpcError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}, rpcCode = -32000): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code: rpcCode, message }, id: null });
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(body);
}

/** Reads the body as JSON; throws `HttpRefusal` 413 past `maxBytes`, or 400 when it is not JSON. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }

  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new HttpRefusal(400, `Parse error: the request body is not JSON (${(error as Error).message})`, -32700);
  }
}

function tooLarge(maxBytes: number): HttpRefusal {
  return new HttpRefusal(413, `Payload Too Large: the request body is over ${maxBytes} bytes`);
}

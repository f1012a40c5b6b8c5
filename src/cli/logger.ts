/**
 * The CLI's one logger. The library never logs; the command does, to standard error,
 * so that standard output carries only the summary, the report and trace lines.
 */

export interface Logger {
  info(message: string): void;
  error(message: string): void;
}

export function createLogger(stream: NodeJS.WritableStream = process.stderr): Logger {
  return {
    info: (message) => void stream.write(`elicit: ${message}\n`),
    error: (message) => void stream.write(`elicit: error: ${message}\n`),
  };
}

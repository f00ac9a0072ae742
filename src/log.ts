import { pino, type Logger } from 'pino';

/** Structured JSON logs; tokens and secrets never reach them. */
export function createLogger(
  level: string = process.env.LOG_LEVEL ?? 'info',
  name = 'switchboard',
  file?: string,
): Logger {
  const options = {
    name,
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        '*.clientSecret',
        'clientSecret',
        '*.access_token',
        '*.recordingAccessToken',
      ],
      censor: '[redacted]',
    },
  };
  // Interactive `switchboard up` keeps the terminal for the call's steps and writes the JSON log to a file.
  return file ? pino(options, pino.destination({ dest: file, mkdir: true, sync: false })) : pino(options);
}
export type { Logger };

import { pino, type Logger } from 'pino';

/** Structured JSON logs; tokens and secrets never reach them. */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', name = 'switchboard'): Logger {
  return pino({
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
  });
}
export type { Logger };

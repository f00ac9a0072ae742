/** Entra's OAuth error responses, as the token endpoint and the tenant's documents answer bad requests. */
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';

function entraTimestamp(d = new Date()): string {
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

/** Entra's OAuth error body. */
export function sendEntraError(
  req: Request,
  res: Response,
  status: number,
  error: string,
  aadsts: number,
  description: string,
): void {
  const traceId = randomUUID();
  const correlationId = req.header('client-request-id') ?? randomUUID();
  const timestamp = entraTimestamp();
  res
    .status(status)
    .set({ 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' })
    .json({
      error,
      error_description: `AADSTS${aadsts}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
    });
}

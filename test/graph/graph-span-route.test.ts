import { describe, expect, it } from 'vitest';
import { graphRouteOf } from '../../src/telemetry/graph-span.js';

// Issue 26, point 5: a Graph request's span is named by its route, ids left out, so spans of one operation group
// together and no id, number or query string from a URL lands in a span.
describe('the route a Graph request span is named by', () => {
  it.each([
    [
      'https://graph.microsoft.com/v1.0/communications/calls/491f0b00-ffff-4bc9-a43e-b226498ec22a/answer',
      '/communications/calls/{id}/answer',
    ],
    [
      'http://127.0.0.1:4000/v1.0/communications/calls/491f0b00-ffff-4bc9-a43e-b226498ec22a/participants/invite',
      '/communications/calls/{id}/participants/invite',
    ],
    ['https://graph.microsoft.com/v1.0/communications/calls', '/communications/calls'],
    ['https://graph.microsoft.com/v1.0/communications/getPresencesByUserId', '/communications/getPresencesByUserId'],
    ['https://graph.microsoft.com/beta/users/8b081ef6-4792-4def-b2c9-c363a1bf41d5/presence', '/users/{id}/presence'],
    // A number or an encoded value in a path segment, and anything in the query string, never shows.
    ['https://graph.microsoft.com/v1.0/users/+14255550123/presence', '/users/{id}/presence'],
    ['https://graph.microsoft.com/v1.0/users/tel%3A%2B14255550123', '/users/{id}'],
    ["https://graph.microsoft.com/v1.0/users?$filter=mobilePhone eq '+14255550123'", '/users'],
  ])('%s → %s', (url, route) => {
    expect(graphRouteOf(url)).toBe(route);
  });
});

/**
 * The call-flow language lives in src/contracts/flow-api.ts: the lines in flows/ are written against it, and flows/
 * import contracts, never workflow code (issue 20, point 8: no top-level import runs back up). The verbs still take
 * their types from here; this file goes once they import the contract itself. New types go in the contract.
 */
export type * from '../../src/contracts/flow-api.js';

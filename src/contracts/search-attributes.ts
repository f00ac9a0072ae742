/**
 * The Temporal search attributes a call workflow carries (issue 26, point 3): what the Temporal UI and `temporal
 * workflow list --query` filter calls by. All Keyword (exact match, `=` and `IN` in a visibility query). None holds a
 * phone number or a name: `Line` is the resource account's id, `Agent` the agent's id, `CallerHash` the keyed hash the
 * privacy requests name a person by (src/privacy/subject-ref.ts), never the number it was made from.
 *
 * Registered on every Temporal that runs calls: the embedded dev server at start (`--search-attribute`), the test
 * environments, docker-compose's `temporal-namespace` job, and `switchboard migrate`/`doctor` on a cluster. A
 * workflow that sets one the namespace does not know fails its task, so the list here is the one place they live.
 */
export const CALL_SEARCH_ATTRIBUTES = ['Queue', 'Outcome', 'Agent', 'FlowName', 'Line', 'CallerHash'] as const;

export type CallSearchAttribute = (typeof CALL_SEARCH_ATTRIBUTES)[number];

/** Their type as the Temporal CLI and operator service spell it. */
export const CALL_SEARCH_ATTRIBUTE_TYPE = 'Keyword';

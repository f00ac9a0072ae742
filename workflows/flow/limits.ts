/** An admin's option, or a flow's value, brought within its documented limits (api.ts) rather than refused. */
export const clamp = (v: number, min: number, max: number): number => Math.min(max, Math.max(min, v));

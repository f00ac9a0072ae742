#!/usr/bin/env node
// The `switchboard` CLI: runs the TypeScript sources directly through tsx.
import { register } from 'tsx/esm/api';
register();
await import('../cli/main.ts');

import { ADMIN_COMMANDS } from '../../cli/admin-usage.js';

/** Every command line a user can type, up to its first argument. */
export const COMMANDS: string[][] = [
  ['up'],
  ['worker'],
  ['web'],
  ['migrate'],
  ['doctor'],
  ['seed'],
  ['simulate'],
  ['queues'],
  ['queues', 'validate'],
  ['schedules'],
  ['schedules', 'validate'],
  ['schedules', 'list'],
  ['flows'],
  ['flows', 'validate'],
  ['flows', 'list'],
  ['agents'],
  ...['opt-in', 'opt-out', 'available', 'away', 'sign-out', 'restart'].map((a) => ['agents', a]),
  ['privacy'],
  ['privacy', 'erase'],
  ['privacy', 'export'],
  ['teams'],
  ['teams', 'package'],
  ['admin'],
  ...ADMIN_COMMANDS.map((c) => ['admin', c]),
];

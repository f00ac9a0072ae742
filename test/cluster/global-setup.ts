/**
 * vitest globalSetup of the cluster project: starts building the Temporal server (devkit/cluster/binaries.ts) when a
 * run begins, without waiting for it, so that a fresh clone's build (about 3 minutes of compiling) overlaps the other
 * test files, which mostly wait on their servers; it runs at the lowest CPU priority, one compile at a time. The
 * cluster test waits for it (or reuses the binaries already built).
 */
import { temporalBinaries } from '../../devkit/cluster/binaries.js';

export default function setup(): void {
  temporalBinaries({ background: true }).then(
    (b) => {
      if (b.builtSeconds > 0) process.stderr.write(`\ncluster: Temporal server built in ${b.builtSeconds} s\n`);
    },
    // The cluster test reports the failure (it builds again, in the foreground, and says why it cannot).
    (err: unknown) =>
      process.stderr.write(`\ncluster: background build of the Temporal server failed: ${String(err)}\n`),
  );
}

/**
 * The problems one check finds, each once (a prompt named by two verbs on one line is one problem), in file order.
 */
import type ts from 'typescript';
import { position } from './program.js';
import type { FlowProblem } from './types.js';

export class Problems {
  private readonly list: FlowProblem[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly root: string) {}

  push(p: FlowProblem): void {
    const key = `${p.file}:${p.line}:${p.col}:${p.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(p);
  }

  /** A flow problem at a node. */
  report(node: ts.Node, message: string): void {
    this.push({ ...position(this.root, node), message, kind: 'flow' });
  }

  /** A flow problem about a whole file (`rel` relative to the root). */
  reportFile(rel: string, message: string): void {
    this.push({ file: rel, line: 1, col: 1, message, kind: 'flow' });
  }

  /** By file, line and column. */
  sorted(): FlowProblem[] {
    return [...this.list].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
  }
}

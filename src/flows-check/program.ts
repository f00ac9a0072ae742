/**
 * The TypeScript Program `switchboard flows validate|list` reads: one Program over flows/**\/*.ts (with the project's
 * tsconfig), its files, and where a node is in them (`file:line:col`). Nothing here runs the admins' code.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** A node and the file it is in, for `file:line:col` messages. */
export interface Located {
  node: ts.Node;
}

export interface FlowsProgram {
  root: string;
  flowsDir: string;
  program: ts.Program;
  checker: ts.TypeChecker;
  /** The source files under flows/, in path order. */
  files: ts.SourceFile[];
}

// Library and node_modules declaration files do not change while a process runs; parsing them is most of the cost
// of a Program, so a second validation in the same process (tests) reuses them.
const libraryFiles = new Map<string, ts.SourceFile>();

const DEFAULT_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
};

function compilerOptions(root: string): { options: ts.CompilerOptions; errors: readonly ts.Diagnostic[] } {
  const configFile = path.join(root, 'tsconfig.json');
  if (!existsSync(configFile)) return { options: DEFAULT_OPTIONS, errors: [] };
  const read = ts.readConfigFile(configFile, ts.sys.readFile);
  if (read.error) return { options: DEFAULT_OPTIONS, errors: [read.error] };
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configFile);
  // "No inputs found" does not matter: the root files are flows/**/*.ts, not the tsconfig's include.
  return { options: { ...parsed.options, noEmit: true }, errors: parsed.errors.filter((e) => e.code !== 18003) };
}

/** Builds the Program over `<root>/flows/**\/*.ts`, tests excepted. */
export function createFlowsProgram(rootDir: string): FlowsProgram & { configErrors: readonly ts.Diagnostic[] } {
  const root = realpathSync(rootDir);
  const flowsDir = path.join(root, 'flows');
  const { options, errors } = compilerOptions(root);
  // The admins' flow tests (flows/**/*.test.ts) are not flows: `npm test` type-checks and runs them.
  const rootNames = existsSync(flowsDir)
    ? ts.sys
        .readDirectory(flowsDir, ['.ts'], ['**/node_modules'])
        .filter((f) => !/\.(test|spec)\.ts$/.test(f))
        .sort()
    : [];
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const cacheable =
      fileName.includes('/node_modules/') || fileName.startsWith(path.dirname(ts.getDefaultLibFilePath(options)));
    if (!cacheable) return getSourceFile(fileName, languageVersion, onError, shouldCreate);
    const key = `${fileName}\0${JSON.stringify(languageVersion)}`;
    let file = libraryFiles.get(key);
    if (!file) {
      file = getSourceFile(fileName, languageVersion, onError, shouldCreate);
      if (file) libraryFiles.set(key, file);
    }
    return file;
  };
  const program = ts.createProgram({ rootNames, options, host });
  const files = program
    .getSourceFiles()
    .filter((f) => isUnder(flowsDir, f.fileName))
    .sort((a, b) => a.fileName.localeCompare(b.fileName));
  return { root, flowsDir, program, checker: program.getTypeChecker(), files, configErrors: errors };
}

export function isUnder(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
/** The 1-based line and column of a node's start, and its file relative to the root. */
export function position(root: string, node: ts.Node): { file: string; line: number; col: number } {
  const sf = node.getSourceFile();
  const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return { file: path.relative(root, sf.fileName).split(path.sep).join('/'), line: line + 1, col: character + 1 };
}

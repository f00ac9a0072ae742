import { access, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const ROOT = 'test/histories';

/** A new, empty folder test/histories/<area>/<YYYY-MM-DD>-<what>/; fails (exit 2) if the name is missing or taken. */
export async function newHistoryFolder(area: 'calls' | 'routing', what: string | undefined): Promise<string> {
  if (!what || !/^[a-z0-9-]+$/.test(what)) {
    process.stderr.write(`usage: name this release's recordings, e.g. -- warm-transfer (lower case, digits, dashes)\n`);
    process.exit(2);
  }
  const folder = path.join(ROOT, area, `${new Date().toISOString().slice(0, 10)}-${what}`);
  const taken = await access(folder).then(
    () => true,
    () => false,
  );
  if (taken) {
    process.stderr.write(`${folder} exists: a release's recordings are never re-recorded; choose another name\n`);
    process.exit(2);
  }
  await mkdir(folder, { recursive: true });
  return folder;
}

/** Add a folder and its number of histories to releases.json, which the replay test holds the tree to. */
export async function listRelease(folder: string): Promise<void> {
  const file = path.join(ROOT, 'releases.json');
  const listed = JSON.parse(await readFile(file, 'utf8')) as Record<string, number>;
  listed[path.relative(ROOT, folder)] = (await readdir(folder)).filter((f) => f.endsWith('.history.bin')).length;
  await writeFile(file, `${JSON.stringify(listed, null, 2)}\n`);
}

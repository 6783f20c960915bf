import { open, readFile, unlink } from 'node:fs/promises';

export class DataDirLockedError extends Error {}

/**
 * Exclusive lock for an embedded data directory. PGlite takes none, and two processes writing one
 * directory lose data silently, so a second server must refuse to start.
 */
export async function acquireLock(lockPath: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await unlink(lockPath).catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        throw new DataDirLockedError(
          `The data directory is in use by another server process (pid ${pid}). Stop it first, or pass a different --data-dir. Lock file: ${lockPath}`,
        );
      }
      // Stale lock left by a killed process.
      await unlink(lockPath).catch(() => {});
    }
  }
  throw new DataDirLockedError(`Could not take the data directory lock ${lockPath}.`);
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

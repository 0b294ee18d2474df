import { createHash } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import type { SupergraphManager } from '@apollo/gateway';
import type { Logger } from '@switchboard/kit/edge';

export interface SupergraphFileOptions {
  path: string;
  logger: Logger;
  /** Polling interval; polling (not inotify) survives k8s ConfigMap symlink swaps. */
  intervalMs?: number;
  onReload?: (outcome: 'ok' | 'error') => void;
}

/** Reads the supergraph, failing with a message that names the file and SUPERGRAPH_PATH. */
export function readSupergraphFile(path: string): string {
  let sdl: string;
  try {
    sdl = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new Error(`cannot read supergraph ${path} (SUPERGRAPH_PATH): ${reason}`);
  }
  if (sdl.trim() === '') throw new Error(`supergraph ${path} (SUPERGRAPH_PATH) is empty`);
  return sdl;
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Apollo Gateway supergraph manager: serves the file's SDL and pushes every valid change to the
 * gateway. A change the gateway rejects is logged and the previous schema keeps serving.
 */
export function supergraphFromFile(options: SupergraphFileOptions): SupergraphManager {
  const { path, logger, intervalMs = 500, onReload } = options;
  return {
    async initialize({ update }) {
      const supergraphSdl = readSupergraphFile(path);
      let current = digest(supergraphSdl);
      let stopped = false;

      const onChange = (now: Stats, before: Stats) => {
        if (stopped) return;
        if (now.mtimeMs === before.mtimeMs && now.ino === before.ino && now.size === before.size) return;
        if (now.nlink === 0 && now.mtimeMs === 0) {
          logger.warn({ path }, 'supergraph file disappeared; keeping the current schema');
          return;
        }
        let sdl: string;
        try {
          sdl = readSupergraphFile(path);
        } catch (error) {
          logger.error({ err: error, path }, 'supergraph reload failed; keeping the current schema');
          onReload?.('error');
          return;
        }
        const next = digest(sdl);
        if (next === current) return;
        try {
          update(sdl);
          current = next;
          logger.info({ path, sha256: next }, 'supergraph reloaded');
          onReload?.('ok');
        } catch (error) {
          logger.error({ err: error, path }, 'new supergraph is invalid; keeping the current schema');
          onReload?.('error');
        }
      };

      watchFile(path, { interval: intervalMs, persistent: false }, onChange);
      return {
        supergraphSdl,
        cleanup: async () => {
          stopped = true;
          unwatchFile(path, onChange);
        },
      };
    },
  };
}

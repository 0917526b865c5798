// ARCHIVE_DIR: every digest also written as a Hugo post; atomic writes under a stable name, so a rewrite replaces.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hugoFileName, renderHugoPost, type ArchivedArticle } from '../core/hugoPost.js';

export interface Archive {
  write(article: ArchivedArticle): Promise<string>;
}

/** UTC offset of a time zone at an instant, in minutes. */
export function offsetMinutes(timeZone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(at);
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
}

export function createArchive(dir: string, timeZone: string): Archive {
  return {
    async write(article) {
      await mkdir(dir, { recursive: true });
      const offset = offsetMinutes(timeZone, article.publishedAt ?? article.digest.createdAt);
      const file = join(dir, hugoFileName(article, offset));
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, renderHugoPost(article, offset), 'utf8');
      await rename(tmp, file);
      return file;
    },
  };
}

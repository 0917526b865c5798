// ARCHIVE_DIR: every digest also written as a Hugo post; atomic writes under a stable name, so a rewrite replaces.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hugoFileName, renderHugoPost, type ArchivedArticle } from '../core/hugoPost.js';
import { offsetMinutes } from '../core/localTime.js';

export interface Archive {
  write(article: ArchivedArticle): Promise<string>;
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

/** Partner Center's collection paging: links.next with an MS-ContinuationToken header, `size` per page. */
import { randomUUID } from 'node:crypto';
import { type Answer, pcError } from './answers.js';

export class Continuations {
  private readonly saved = new Map<
    string,
    { items: unknown[]; offset: number; size: number; path: string }
  >();

  /** The first page of `all` (computed only then), or the page a continuation token points at. */
  list(url: URL, headers: Record<string, string | undefined>, all: () => unknown[]): Answer {
    const path = url.pathname;
    if (url.searchParams.get('seekOperation') === 'Next') {
      const token = headers['ms-continuationtoken'];
      const saved = token ? this.saved.get(token) : undefined;
      if (!saved || saved.path !== path) return pcError(400, 800002, 'Invalid continuation token.');
      return this.page(path, saved.items, saved.size, saved.offset);
    }
    const size = Number(url.searchParams.get('size') ?? '100');
    return this.page(path, all(), Number.isInteger(size) && size > 0 ? size : 100, 0);
  }

  private page(path: string, all: unknown[], size: number, offset: number): Answer {
    const items = all.slice(offset, offset + size);
    const body: Record<string, unknown> = {
      totalCount: items.length,
      items,
      links: {},
      attributes: { objectType: 'Collection' },
    };
    if (offset + size < all.length) {
      const token = randomUUID();
      this.saved.set(token, { items: all, offset: offset + size, size, path });
      body.links = {
        self: { uri: `${path}?size=${size}`, method: 'GET', headers: [] },
        next: {
          uri: `${path}?size=${size}&seekOperation=Next`,
          method: 'GET',
          headers: [{ key: 'MS-ContinuationToken', value: token }],
        },
      };
      body.continuationToken = token;
    }
    return { status: 200, body };
  }
}

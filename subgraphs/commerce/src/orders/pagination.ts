import { badInput } from '@switchboard/kit';
import { Field, ObjectType } from 'type-graphql';

/** Cursor pagination shared by the commerce lists (orders, coupons, PrestaShop events and logs). */
@ObjectType('CommercePageInfo')
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' }) endCursor!: string | null;
}

export const MAX_PAGE_SIZE = 200;

export function pageSize(first: number | undefined | null, fallback = 50): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}`, 'first');
  return size;
}

/** An opaque cursor: the sort key of the last item of a page. */
export function encodeCursor(key: (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T extends (string | number)[]>(cursor: string | null | undefined, shape: ('string' | 'number')[]): T | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === shape.length && key.every((part, i) => typeof part === shape[i])) return key as T;
  } catch {
    // fall through to the error below
  }
  throw badInput('after is not a cursor from this list', 'after');
}

/** Fetch `size + 1` rows, return `size` and whether there is more. */
export function page<T>(rows: T[], size: number, keyOf: (row: T) => (string | number)[]): { nodes: T[]; pageInfo: PageInfo } {
  const nodes = rows.slice(0, size);
  const last = nodes.at(-1);
  return {
    nodes,
    pageInfo: Object.assign(new PageInfo(), { hasNextPage: rows.length > size, endCursor: last ? encodeCursor(keyOf(last)) : null }),
  };
}

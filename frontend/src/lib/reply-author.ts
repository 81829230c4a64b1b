import i18next from 'i18next';
import type { Reply } from '@/api/types';

/**
 * The name a thread shows for a reply: the author, and who really entered it when that was someone else
 * ("Alice (entered by Priya)"). `posterName` comes from the user directory when the page has one; the
 * reply's own `posted_by_name` (the poster's name when it was posted) covers the requester portal.
 */
export function replyAuthorLabel(reply: Pick<Reply, 'posted_by' | 'posted_by_name'>, authorName: string, posterName?: string): string {
  if (reply.posted_by === null || reply.posted_by === undefined) return authorName;
  const poster = posterName ?? reply.posted_by_name ?? i18next.t('common.userN', { id: reply.posted_by });
  return i18next.t('common.thread.enteredBy', { author: authorName, poster });
}

import type { TicketListQuery, TicketPriority, TicketStatus } from '@/api/types';
import { PRIORITIES, STATUSES } from '@/api/types';

/** The ticket list's state as it lives in the URL: shareable, and the back button restores it. */
export interface TicketListParams {
  status?: TicketStatus;
  priority?: TicketPriority;
  requester?: number;
  /** An agent's id, or 'none' for unassigned tickets ("My tickets" is the signed-in agent's id). */
  assignee?: number | 'none';
  page: number;
  pageSize: number;
}

export const PAGE_SIZES = [20, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 20;

function positiveInt(raw: string | null): number | undefined {
  if (!raw || !/^\d{1,15}$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= 1 ? value : undefined;
}

/** Read the URL; anything invalid is dropped rather than sent to the API. */
export function parseListParams(search: URLSearchParams): TicketListParams {
  const status = search.get('status');
  const priority = search.get('priority');
  const pageSize = positiveInt(search.get('page_size'));
  return {
    status: STATUSES.includes(status as TicketStatus) ? (status as TicketStatus) : undefined,
    priority: PRIORITIES.includes(priority as TicketPriority) ? (priority as TicketPriority) : undefined,
    requester: positiveInt(search.get('requester')),
    assignee: search.get('assignee') === 'none' ? 'none' : positiveInt(search.get('assignee')),
    page: Math.min(positiveInt(search.get('page')) ?? 1, 100_000),
    pageSize: PAGE_SIZES.includes(pageSize as (typeof PAGE_SIZES)[number]) ? pageSize! : DEFAULT_PAGE_SIZE,
  };
}

/** Write the state back; defaults are left out so URLs stay short. */
export function toSearchParams(params: TicketListParams): URLSearchParams {
  const out = new URLSearchParams();
  if (params.status) out.set('status', params.status);
  if (params.priority) out.set('priority', params.priority);
  if (params.requester) out.set('requester', String(params.requester));
  if (params.assignee) out.set('assignee', String(params.assignee));
  if (params.page > 1) out.set('page', String(params.page));
  if (params.pageSize !== DEFAULT_PAGE_SIZE) out.set('page_size', String(params.pageSize));
  return out;
}

/** A filter change goes back to page 1 (the old page number means nothing under new filters). */
export function withFilter(params: TicketListParams, change: Partial<Omit<TicketListParams, 'page' | 'pageSize'>>): TicketListParams {
  return { ...params, ...change, page: 1 };
}

export function hasFilters(params: TicketListParams): boolean {
  return Boolean(params.status || params.priority || params.requester || params.assignee);
}

export function toApiQuery(params: TicketListParams): TicketListQuery {
  return {
    status: params.status,
    priority: params.priority,
    requester_id: params.requester,
    assignee_id: params.assignee,
    page: params.page,
    page_size: params.pageSize,
  };
}

/** Every filter off (the page size stays). */
export const NO_FILTERS = { status: undefined, priority: undefined, requester: undefined, assignee: undefined } as const;

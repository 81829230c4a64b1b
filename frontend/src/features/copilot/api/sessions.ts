import { infiniteQueryOptions, queryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api-client';
import { copilotKeys } from './keys';
import type { CopilotSessionDetail, CopilotSessionIn, CopilotSessionPage, CopilotTurn } from './types';

export const COPILOT_SESSIONS_PAGE_SIZE = 20;

export function getCopilotSessions(cursor?: string, signal?: AbortSignal): Promise<CopilotSessionPage> {
  return unwrap(apiClient().GET('/api/ai/chat/sessions', {
    params: { query: { page_size: COPILOT_SESSIONS_PAGE_SIZE, cursor } },
    signal,
  }));
}

/** The signed-in agent's conversations, newest first ("Load more" follows next_cursor). */
export function copilotSessionsQueryOptions() {
  return infiniteQueryOptions({
    queryKey: copilotKeys.sessions(),
    queryFn: ({ pageParam, signal }) => getCopilotSessions(pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useCopilotSessions() {
  return useInfiniteQuery(copilotSessionsQueryOptions());
}

export function getCopilotSession(sessionId: string, signal?: AbortSignal): Promise<CopilotSessionDetail> {
  return unwrap(apiClient().GET('/api/ai/chat/sessions/{session_id}', {
    params: { path: { session_id: sessionId } },
    signal,
  }));
}

export function copilotSessionQueryOptions(sessionId: string) {
  return queryOptions({
    queryKey: copilotKeys.session(sessionId),
    queryFn: ({ signal }) => getCopilotSession(sessionId, signal),
  });
}

export function useCopilotSession(sessionId: string | undefined) {
  return useQuery({ ...copilotSessionQueryOptions(sessionId ?? ''), enabled: Boolean(sessionId) });
}

export function createCopilotSession(body: CopilotSessionIn): Promise<CopilotSessionDetail> {
  return unwrap(apiClient().POST('/api/ai/chat/sessions', { body })).then((session) => ({ ...session, messages: [] }));
}

/** Start a conversation: it is put in the cache with no messages, and the list is refetched. */
export function useCreateCopilotSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createCopilotSession,
    onSuccess: (session) => {
      queryClient.setQueryData(copilotKeys.session(session.id), session);
      void queryClient.invalidateQueries({ queryKey: copilotKeys.sessions() });
    },
  });
}

export interface AskVariables {
  sessionId: string;
  content: string;
  ticketId?: number | null;
}

export function askCopilot({ sessionId, content, ticketId }: AskVariables): Promise<CopilotTurn> {
  return unwrap(apiClient().POST('/api/ai/chat/sessions/{session_id}/messages', {
    params: { path: { session_id: sessionId } },
    body: { content, ...(ticketId ? { ticket_id: ticketId } : {}) },
  }));
}

/** Ask a question: the stored question and the answer are appended to the cached conversation. */
export function useAskCopilot() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: askCopilot,
    onSuccess: (turn, { sessionId }) => {
      queryClient.setQueryData<CopilotSessionDetail>(copilotKeys.session(sessionId), (old) => ({
        ...turn.session,
        messages: [...(old?.messages ?? []).filter((m) => m.seq < turn.question.seq), turn.question, turn.answer],
      }));
      void queryClient.invalidateQueries({ queryKey: copilotKeys.sessions() });
    },
  });
}

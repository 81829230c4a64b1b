import { useMutation, useQuery } from '@tanstack/react-query';
import { App, Button, Card, Flex, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { components } from '@/api/schema';
import { apiClient, describeError, unwrap } from '@/lib/api-client';
import { requesterKeys } from '../api/keys';

type AiAnswer = components['schemas']['AiAnswerOut'];

const DEBOUNCE_MS = 600;
const MIN_CHARS = 12;

export function askSelfService(question: string, signal?: AbortSignal): Promise<AiAnswer> {
  return unwrap(apiClient().POST('/api/ai/answer', { body: { question }, signal }));
}

function useDebounced(value: string, ms: number): string {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

/** New request: answers from the knowledge base while the requester types. "This answered my question" records a
 * deflection and creates no ticket; "Create my request anyway" hides the answer and lets them carry on. */
export function SelfServiceAnswer({ question, onDeflected }: { question: string; onDeflected: () => void }) {
  const asked = useDebounced(question.trim(), DEBOUNCE_MS);
  // "Create my request anyway": the requester chose to carry on, so nothing more is offered in this form.
  const [dismissed, setDismissed] = useState(false);
  const { message } = App.useApp();
  const answer = useQuery({
    queryKey: requesterKeys.answer(asked),
    queryFn: ({ signal }) => askSelfService(asked, signal),
    enabled: asked.length >= MIN_CHARS && !dismissed,
    staleTime: 60_000,
    retry: false,
  });
  const deflect = useMutation({
    mutationFn: () => unwrap(apiClient().POST('/api/ai/deflections', { body: { question: asked, category: answer.data?.category ?? null } })),
    onSuccess: () => {
      void message.success('Glad that helped. No request was created.');
      onDeflected();
    },
    onError: (error) => void message.error(describeError(error)),
  });
  const data = answer.data;
  if (!data || dismissed || (!data.answerable && data.articles.length === 0)) return null;
  return (
    <Card size="small" title={data.answerable ? 'This may answer your question' : 'Articles that may help'}
      style={{ marginBottom: 16 }} data-testid="self-service-answer">
      {data.answer && <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }} data-testid="self-service-text">{data.answer}</Typography.Paragraph>}
      {!data.answerable && (
        <ul style={{ paddingLeft: 20, margin: 0 }}>
          {data.articles.map((article) => (
            <li key={article.chunk_id}>
              <Typography.Text strong>{article.title ?? article.source}</Typography.Text>
              <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>{article.excerpt}</Typography.Paragraph>
            </li>
          ))}
        </ul>
      )}
      <Flex gap={8} wrap>
        <Button type="primary" loading={deflect.isPending} onClick={() => deflect.mutate()}>This answered my question</Button>
        <Button onClick={() => setDismissed(true)}>Create my request anyway</Button>
      </Flex>
    </Card>
  );
}

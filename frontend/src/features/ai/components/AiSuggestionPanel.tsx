import { BulbOutlined, CheckOutlined, EnterOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Collapse, Descriptions, Flex, Progress, Skeleton, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import type { AiSnippet, AiSuggestion, TicketPriority } from '@/api/types';
import { PriorityTag, tagColor } from '@/components/chips';
import { loadSuggestion, saveSuggestion } from '@/lib/suggestion-draft';
import { useSuggestion } from '../api/suggest';
import { explainAiError } from '../explain';

export interface AiSuggestionPanelProps {
  ticketId: number;
  currentPriority: TicketPriority;
  currentTags: readonly string[];
  /** The agents' category on the ticket (a taxonomy label), if any. */
  currentCategory?: string | null;
  onApplyCategory?: (category: string) => void;
  onApplyPriority: (priority: TicketPriority) => void;
  onApplyTags: (tags: string[]) => void;
  onInsertDraft: (draft: string) => void;
  /** An apply is being saved: its buttons wait. */
  applying?: boolean;
}

export function snippetSource(snippet: AiSnippet): string {
  const { source, title } = (snippet.metadata ?? {}) as { source?: unknown; title?: unknown };
  return [title, source].filter((part) => typeof part === 'string' && part).join(' — ') || snippet.id;
}

export function sourceName(source: AiSuggestion['sources'][number] | string): string {
  if (typeof source === 'string') return source;
  const name = [source.title, source.source, source.id].find((part) => typeof part === 'string' && part);
  return typeof name === 'string' ? name : '';
}

function isSuggestion(value: unknown): value is AiSuggestion {
  const v = value as Partial<AiSuggestion> | null;
  return typeof v === 'object' && v !== null && typeof v.draft === 'string' && Array.isArray(v.snippets)
    && Array.isArray(v.tags) && Array.isArray(v.sources) && typeof v.confidence === 'number';
}

export function AiSuggestionPanel(props: AiSuggestionPanelProps) {
  const suggestion = useSuggestion();
  // A suggestion generated before a reload (kept per ticket in sessionStorage until a reply from it is sent).
  const [kept] = useState(() => loadSuggestion(props.ticketId, isSuggestion));
  const generate = () => suggestion.mutate(props.ticketId, {
    onSuccess: (data) => saveSuggestion(props.ticketId, data),
  });
  const shown = suggestion.data ?? (suggestion.isIdle ? kept : null);
  return (
    <Card
      title={<Space><BulbOutlined /> AI suggestion</Space>}
      extra={
        <Button type={shown ? 'default' : 'primary'} onClick={generate} loading={suggestion.isPending}>
          {shown ? 'Regenerate' : 'Generate'}
        </Button>
      }
      data-testid="ai-panel"
    >
      {suggestion.isPending && (
        <div aria-live="polite">
          <Typography.Text type="secondary">Reading the ticket and searching the knowledge base…</Typography.Text>
          <Skeleton active paragraph={{ rows: 5 }} />
        </div>
      )}
      {suggestion.isError && !suggestion.isPending && <AiError error={suggestion.error} onRetry={generate} />}
      {suggestion.isIdle && !shown && (
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          Generate a category, priority, tags and a draft reply from this ticket and the knowledge base. Nothing
          changes until you apply it.
        </Typography.Paragraph>
      )}
      {suggestion.isIdle && shown && (
        <Typography.Text type="secondary" data-testid="ai-kept">Generated earlier in this session.</Typography.Text>
      )}
      {shown && !suggestion.isPending && <SuggestionView suggestion={shown} {...props} />}
    </Card>
  );
}

function AiError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { title, description, retry } = explainAiError(error);
  return (
    <Alert
      type={retry ? 'error' : 'info'}
      showIcon
      role="alert"
      title={title}
      description={description}
      action={retry ? <Button size="small" onClick={onRetry}>Try again</Button> : undefined}
    />
  );
}

function SuggestionView({ suggestion, currentPriority, currentTags, currentCategory, onApplyCategory, onApplyPriority, onApplyTags, onInsertDraft, applying }: AiSuggestionPanelProps & { suggestion: AiSuggestion }) {
  const newTags = suggestion.tags.filter((tag) => !currentTags.includes(tag));
  const confidence = Math.round(Math.max(0, Math.min(1, suggestion.confidence)) * 100);
  return (
    <Flex vertical gap={16}>
      <Descriptions
        column={1}
        size="small"
        bordered
        items={[
          {
            key: 'category',
            label: 'Category',
            children: (
              <Flex vertical gap={4}>
                <Space wrap>
                  <Typography.Text strong data-testid="ai-category">
                    {suggestion.category ?? 'Out of scope'}
                  </Typography.Text>
                  {suggestion.category && onApplyCategory && (suggestion.category === currentCategory ? (
                    <Typography.Text type="secondary"><CheckOutlined /> already set</Typography.Text>
                  ) : (
                    <Button size="small" onClick={() => onApplyCategory(suggestion.category!)} loading={applying} aria-label={`Apply category ${suggestion.category}`}>
                      Apply category
                    </Button>
                  ))}
                </Space>
                {suggestion.out_of_scope && (
                  <Typography.Text type="secondary">No category of the taxonomy fits this ticket well.</Typography.Text>
                )}
                <Progress percent={confidence} size="small" aria-label={`Confidence ${confidence}%`} format={(p) => `${p}% confident`} />
              </Flex>
            ),
          },
          {
            key: 'priority',
            label: 'Priority',
            children: (
              <Space>
                <PriorityTag priority={suggestion.priority} />
                {suggestion.priority === currentPriority ? (
                  <Typography.Text type="secondary"><CheckOutlined /> already set</Typography.Text>
                ) : (
                  <Button size="small" onClick={() => onApplyPriority(suggestion.priority)} loading={applying} aria-label={`Apply priority ${suggestion.priority}`}>Apply</Button>
                )}
              </Space>
            ),
          },
          {
            key: 'tags',
            label: 'Tags',
            children: (
              <Space size={[4, 4]} wrap>
                {suggestion.tags.length === 0 && <Typography.Text type="secondary">none</Typography.Text>}
                {suggestion.tags.map((tag) =>
                  currentTags.includes(tag) ? (
                    <Tag key={tag} color={tagColor(tag)} icon={<CheckOutlined />}>{tag}</Tag>
                  ) : (
                    <Button key={tag} size="small" icon={<PlusOutlined />} disabled={applying} onClick={() => onApplyTags([...currentTags, tag])} aria-label={`Add tag ${tag}`}>
                      {tag}
                    </Button>
                  ))}
                {newTags.length > 1 && (
                  <Button size="small" type="link" disabled={applying} onClick={() => onApplyTags([...currentTags, ...newTags])}>Add all</Button>
                )}
              </Space>
            ),
          },
        ]}
      />

      <div>
        <Typography.Title level={5}>Draft reply</Typography.Title>
        <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', background: '#fafafa', padding: 12, borderRadius: 6 }} data-testid="ai-draft">
          {suggestion.draft}
        </Typography.Paragraph>
        <Button type="primary" icon={<EnterOutlined />} onClick={() => onInsertDraft(suggestion.draft)}>Insert into reply</Button>
      </div>

      <div>
        <Typography.Title level={5}>From the knowledge base ({suggestion.snippets.length})</Typography.Title>
        {suggestion.snippets.length === 0 ? (
          <Typography.Text type="secondary">No matching knowledge base articles.</Typography.Text>
        ) : (
          <Collapse
            size="small"
            items={suggestion.snippets.map((snippet) => ({
              key: snippet.id,
              label: <span>{snippetSource(snippet)} <Typography.Text type="secondary">· distance {snippet.distance.toFixed(3)}</Typography.Text></span>,
              children: <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{snippet.content}</Typography.Paragraph>,
            }))}
          />
        )}
      </div>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        Model: {suggestion.model}
        {suggestion.draft_source === 'template' && <> · Draft from a template{suggestion.fallback_reason ? ` (${suggestion.fallback_reason})` : ''}</>}
        {suggestion.sources.length > 0 && <> · Sources: {suggestion.sources.map(sourceName).filter(Boolean).join(', ')}</>}
      </Typography.Text>
    </Flex>
  );
}

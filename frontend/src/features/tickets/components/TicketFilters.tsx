import { ClearOutlined } from '@ant-design/icons';
import { Button, Segmented, Select, Space } from 'antd';
import { PRIORITIES, STATUSES } from '@/api/types';
import { humanize } from '@/lib/format';
import { UserSelect } from '@/components/users/UserSelect';
import { hasFilters, NO_FILTERS, withFilter, type TicketListParams } from '../list-params';

interface Props {
  params: TicketListParams;
  onChange: (next: TicketListParams) => void;
  /** The signed-in agent: "My tickets" filters on this id. */
  meId?: number;
}

type Quick = 'all' | 'mine' | 'none' | 'other';

export function quickFilterOf(params: TicketListParams, meId: number | undefined): Quick {
  if (params.assignee === undefined) return 'all';
  if (params.assignee === 'none') return 'none';
  return params.assignee === meId ? 'mine' : 'other';
}

export function TicketFilters({ params, onChange, meId }: Props) {
  const quick = quickFilterOf(params, meId);
  return (
    <Space wrap aria-label="Filters">
      <Segmented<Quick>
        aria-label="Quick filters"
        value={quick}
        onChange={(value) => {
          if (value === 'other') return;
          onChange(withFilter(params, { assignee: value === 'all' ? undefined : value === 'none' ? 'none' : meId }));
        }}
        options={[
          { value: 'all', label: 'All tickets' },
          ...(meId ? [{ value: 'mine' as const, label: 'My tickets' }] : []),
          { value: 'none', label: 'Unassigned' },
          ...(quick === 'other' ? [{ value: 'other' as const, label: 'Someone else’s' }] : []),
        ]}
      />
      <Select
        aria-label="Filter by status"
        placeholder="Any status"
        allowClear
        style={{ width: 160 }}
        value={params.status}
        onChange={(status) => onChange(withFilter(params, { status }))}
        options={STATUSES.map((s) => ({ value: s, label: humanize(s) }))}
      />
      <Select
        aria-label="Filter by priority"
        placeholder="Any priority"
        allowClear
        style={{ width: 160 }}
        value={params.priority}
        onChange={(priority) => onChange(withFilter(params, { priority }))}
        options={PRIORITIES.map((p) => ({ value: p, label: humanize(p) }))}
      />
      <UserSelect
        aria-label="Filter by requester"
        placeholder="Any requester"
        allowClear
        style={{ width: 240 }}
        value={params.requester}
        onChange={(requester) => onChange(withFilter(params, { requester }))}
      />
      {/* From the user directory the list already loads: no extra requests on the list's first render. */}
      <UserSelect
        aria-label="Filter by assignee"
        placeholder="Any assignee"
        roles={['agent', 'admin']}
        allowClear
        style={{ width: 220 }}
        value={typeof params.assignee === 'number' ? params.assignee : undefined}
        onChange={(assignee) => onChange(withFilter(params, { assignee }))}
      />
      {hasFilters(params) && (
        <Button icon={<ClearOutlined />} onClick={() => onChange(withFilter(params, NO_FILTERS))}>
          Clear filters
        </Button>
      )}
    </Space>
  );
}

import { ClearOutlined } from '@ant-design/icons';
import { Button, Segmented, Select, Space } from 'antd';
import { PRIORITIES, STATUSES } from '@/api/types';
import { useTranslation } from 'react-i18next';
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
  const { t } = useTranslation();
  const quick = quickFilterOf(params, meId);
  return (
    <Space wrap aria-label={t('tickets.filters.label')} className="ticket-filters" style={{ maxWidth: '100%' }}>
      <Segmented<Quick>
        aria-label={t('tickets.filters.quick')}
        value={quick}
        onChange={(value) => {
          if (value === 'other') return;
          onChange(withFilter(params, { assignee: value === 'all' ? undefined : value === 'none' ? 'none' : meId }));
        }}
        options={[
          { value: 'all', label: t('tickets.filters.all') },
          ...(meId ? [{ value: 'mine' as const, label: t('tickets.filters.mine') }] : []),
          { value: 'none', label: t('common.unassigned') },
          ...(quick === 'other' ? [{ value: 'other' as const, label: t('tickets.filters.other') }] : []),
        ]}
      />
      <Select
        aria-label={t('tickets.filters.status')}
        placeholder={t('tickets.filters.anyStatus')}
        allowClear
        style={{ width: 160, maxWidth: '100%' }}
        value={params.status}
        onChange={(status) => onChange(withFilter(params, { status }))}
        options={STATUSES.map((s) => ({ value: s, label: t(`common.status.${s}`) }))}
      />
      <Select
        aria-label={t('tickets.filters.priority')}
        placeholder={t('tickets.filters.anyPriority')}
        allowClear
        style={{ width: 160, maxWidth: '100%' }}
        value={params.priority}
        onChange={(priority) => onChange(withFilter(params, { priority }))}
        options={PRIORITIES.map((p) => ({ value: p, label: t(`common.priority.${p}`) }))}
      />
      <UserSelect
        aria-label={t('tickets.filters.requester')}
        placeholder={t('tickets.filters.anyRequester')}
        allowClear
        style={{ width: 240, maxWidth: '100%' }}
        value={params.requester}
        onChange={(requester) => onChange(withFilter(params, { requester }))}
      />
      {/* From the user directory the list already loads: no extra requests on the list's first render. */}
      <UserSelect
        aria-label={t('tickets.filters.assignee')}
        placeholder={t('tickets.filters.anyAssignee')}
        roles={['agent', 'admin']}
        allowClear
        style={{ width: 220, maxWidth: '100%' }}
        value={typeof params.assignee === 'number' ? params.assignee : undefined}
        onChange={(assignee) => onChange(withFilter(params, { assignee }))}
      />
      {hasFilters(params) && (
        <Button icon={<ClearOutlined />} onClick={() => onChange(withFilter(params, NO_FILTERS))}>
          {t('tickets.filters.clear')}
        </Button>
      )}
    </Space>
  );
}

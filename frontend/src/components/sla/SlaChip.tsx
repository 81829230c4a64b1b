import { CheckCircleOutlined, ClockCircleOutlined, ExclamationCircleOutlined, PauseCircleOutlined, WarningOutlined } from '@ant-design/icons';
import { Tag, Tooltip } from 'antd';
import type { Ticket } from '@/api/types';
import { slaChip, type SlaChipKind } from './sla-state';

const ICONS: Record<SlaChipKind, React.ReactNode> = {
  ok: <ClockCircleOutlined />,
  at_risk: <WarningOutlined />,
  breached: <ExclamationCircleOutlined />,
  paused: <PauseCircleOutlined />,
  met: <CheckCircleOutlined />,
  none: null,
};

/** ok / at risk / breached / paused / met, with the due times in a tooltip (and in the accessible name). */
export function SlaChip({ ticket }: { ticket: Parameters<typeof slaChip>[0] & Pick<Ticket, 'id'> }) {
  const view = slaChip(ticket);
  const tip = view.details.length ? view.details.join('\n') : undefined;
  return (
    <Tooltip title={tip ? <span style={{ whiteSpace: 'pre-line' }}>{tip}</span> : undefined}>
      <Tag
        color={view.color}
        icon={ICONS[view.kind]}
        data-testid="sla-chip"
        data-sla={view.kind}
        aria-label={`SLA ${view.label}${tip ? `. ${view.details.join('. ')}` : ''}`}
        tabIndex={0}
        onClick={(e) => e.stopPropagation()}
      >
        {view.label}
      </Tag>
    </Tooltip>
  );
}

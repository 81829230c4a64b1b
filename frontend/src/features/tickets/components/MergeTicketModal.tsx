import { Alert, App, Button, Checkbox, Descriptions, Flex, Modal, Select, Skeleton, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { Ticket } from '@/api/types';
import { PriorityTag, StatusTag } from '@/components/chips';
import { describeError, isApiError } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import { useAuth } from '@/lib/auth';
import { useTicket } from '@/api/tickets/get-ticket';
import { useTickets } from '@/api/tickets/get-tickets';
import { useMergeTicket } from '@/api/tickets/merge-ticket';

/** Typed "#42" or "42" -> 42. */
export function parseTicketId(text: string): number | null {
  const match = /^\s*#?(\d{1,15})\s*$/.exec(text);
  if (!match) return null;
  const id = Number(match[1]);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** Candidate survivors: the same requester's tickets first (duplicates usually come from one person), then recent open ones. */
export function mergeCandidates(duplicate: Ticket, sameRequester: readonly Ticket[], recent: readonly Ticket[], search: string): Ticket[] {
  const needle = search.trim().toLowerCase();
  const seen = new Set<number>([duplicate.id]);
  const out: Ticket[] = [];
  for (const t of [...sameRequester, ...recent]) {
    if (seen.has(t.id) || t.merged_into) continue;
    seen.add(t.id);
    if (!needle || t.title.toLowerCase().includes(needle) || `#${t.id}`.includes(needle.replace(/^#?/, '#'))) out.push(t);
  }
  return out.slice(0, 50);
}

interface Props {
  ticket: Ticket;
  open: boolean;
  onClose: () => void;
}

export function MergeTicketModal({ ticket, open, onClose }: Props) {
  return (
    <Modal title={`Merge #${ticket.id} into another ticket`} open={open} onCancel={onClose} footer={null} destroyOnHidden width={640}>
      {open && <MergeForm ticket={ticket} onClose={onClose} />}
    </Modal>
  );
}

function MergeForm({ ticket, onClose }: { ticket: Ticket; onClose: () => void }) {
  const [search, setSearch] = useState('');
  const [into, setInto] = useState<number | null>(null);
  const sameRequester = useTickets({ requester_id: ticket.requester_id, page_size: 50 });
  const recent = useTickets({ page_size: 50 });
  const merge = useMergeTicket();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const typedId = parseTicketId(search);
  const { user } = useAuth();
  const [confirmCross, setConfirmCross] = useState(false);
  const crossRequester = isApiError(merge.error) && merge.error.code === 'cross_requester';

  const options = useMemo(() => {
    const list = mergeCandidates(ticket, sameRequester.data?.items ?? [], recent.data?.items ?? [], typedId ? '' : search)
      .filter((t) => !typedId || String(t.id).startsWith(String(typedId)));
    const opts = list.map((t) => ({ value: t.id, label: `#${t.id} · ${t.title}${t.requester_id === ticket.requester_id ? ' (same requester)' : ''}` }));
    if (typedId && typedId !== ticket.id && !opts.some((o) => o.value === typedId)) opts.unshift({ value: typedId, label: `Ticket #${typedId}` });
    return opts;
  }, [ticket, sameRequester.data, recent.data, search, typedId]);

  const confirm = () => {
    if (!into) return;
    merge.mutate(
      { ticketId: ticket.id, into, confirmCrossRequester: confirmCross },
      {
        onSuccess: (survivor) => {
          message.success(`Ticket #${ticket.id} merged into #${survivor.id}`);
          onClose();
          navigate(`/tickets/${survivor.id}`);
        },
      },
    );
  };

  return (
    <Flex vertical gap={16}>
      <Typography.Paragraph style={{ margin: 0 }}>
        <strong>#{ticket.id}</strong> is the duplicate: its replies move to the ticket you pick (in time order), and it is
        closed with a link to that ticket. Both timelines record the merge. This cannot be undone.
      </Typography.Paragraph>
      <Select<number>
        aria-label="Surviving ticket"
        placeholder="Search by title, or type a ticket number"
        value={into ?? undefined}
        onChange={(value) => { setInto(value ?? null); setConfirmCross(false); merge.reset(); }}
        options={options}
        allowClear
        loading={sameRequester.isLoading || recent.isLoading}
        showSearch={{ filterOption: false, onSearch: setSearch, searchValue: search }}
        onOpenChange={(isOpen) => { if (!isOpen) setSearch(''); }}
        notFoundContent={typedId === ticket.id ? 'A ticket cannot be merged into itself' : 'No matching ticket; type its number'}
        style={{ width: '100%' }}
        autoFocus
      />
      {into && <SurvivorPreview id={into} />}
      {merge.isError && (
        <Alert
          type="error"
          showIcon
          role="alert"
          title="Not merged"
          description={isApiError(merge.error) && merge.error.details.length
            ? merge.error.details.map((d) => d.message).join('; ') + ` (${merge.error.message})`
            : describeError(merge.error)}
        />
      )}
      {(crossRequester || confirmCross) && user?.role === 'admin' && (
        <Checkbox checked={confirmCross} onChange={(e) => setConfirmCross(e.target.checked)}>
          Merge tickets of two different requesters (recorded on both timelines; neither requester will see the other&apos;s messages)
        </Checkbox>
      )}
      <Flex gap={8} justify="flex-end">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="primary" danger disabled={!into} loading={merge.isPending} onClick={confirm}>
          {into ? `Merge into #${into}` : 'Merge'}
        </Button>
      </Flex>
    </Flex>
  );
}

function SurvivorPreview({ id }: { id: number }) {
  const target = useTicket(id);
  if (target.isLoading) return <Skeleton active paragraph={{ rows: 2 }} />;
  if (target.isError) {
    return <Alert type="warning" showIcon title={isApiError(target.error) && target.error.status === 404 ? `Ticket #${id} does not exist` : describeError(target.error)} />;
  }
  const t = target.data;
  if (!t) return null;
  return (
    <Descriptions
      size="small"
      bordered
      column={1}
      title={`Survivor: #${t.id}`}
      items={[
        { key: 'title', label: 'Title', children: t.title },
        { key: 'state', label: 'Status', children: <Flex gap={4}><StatusTag status={t.status} /><PriorityTag priority={t.priority} /></Flex> },
        { key: 'created', label: 'Created', children: formatDateTime(t.created_at) },
        ...(t.merged_into ? [{ key: 'merged', label: 'Note', children: `#${t.id} was itself merged into #${t.merged_into}; merge into that one.` }] : []),
      ]}
    />
  );
}

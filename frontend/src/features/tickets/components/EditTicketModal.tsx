import { Alert, App, Button, Flex, Form, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Ticket, TicketUpdate } from '@/api/types';
import { describeError, isApiError } from '@/lib/api-client';
import { applyServerErrors } from '@/lib/form-errors';
import { parseTags } from '@/lib/format';
import { useUpdateTicket } from '@/api/tickets/update-ticket';
import { TICKET_FIELDS, TicketFields, type TicketFormValues } from '@/components/tickets/TicketFields';

/** Only what the agent changed: a partial update must not rewrite fields nobody touched. The content is
 * not among them: what the customer wrote is not edited (the form has no content field). */
export function changedFields(ticket: Ticket, values: TicketFormValues): Omit<TicketUpdate, 'version'> {
  const changes: Omit<TicketUpdate, 'version'> = {};
  if (values.title.trim() !== ticket.title) changes.title = values.title.trim();
  if (values.status !== ticket.status) changes.status = values.status;
  if (values.priority !== ticket.priority) changes.priority = values.priority;
  const tags = parseTags(values.tags ?? []);
  if (tags.join('\n') !== ticket.tags.join('\n')) changes.tags = tags;
  if (values.requester_id !== undefined && values.requester_id !== ticket.requester_id) changes.requester_id = values.requester_id;
  const assignee = values.assignee_id ?? null;
  if (assignee !== ticket.assignee_id) changes.assignee_id = assignee;
  return changes;
}

function toValues(ticket: Ticket): TicketFormValues {
  return {
    title: ticket.title,
    requester_id: ticket.requester_id,
    assignee_id: ticket.assignee_id,
    status: ticket.status,
    priority: ticket.priority,
    tags: ticket.tags,
  };
}

interface Props {
  ticket: Ticket;
  open: boolean;
  onClose: () => void;
  /** Fetch the ticket again; resolves to the latest version. */
  onReload: () => Promise<Ticket | undefined>;
}

export function EditTicketModal({ ticket, open, onClose, onReload }: Props) {
  const { t } = useTranslation();
  return (
    <Modal title={t('tickets.edit.title', { id: ticket.id })} open={open} onCancel={onClose} width={760} destroyOnHidden footer={null}>
      {open && <EditTicketForm ticket={ticket} onClose={onClose} onReload={onReload} />}
    </Modal>
  );
}

/** Mounted each time the modal opens, so it starts from the ticket as it is at that moment. */
function EditTicketForm({ ticket, onClose, onReload }: Omit<Props, 'open'>) {
  const [form] = Form.useForm<TicketFormValues>();
  const { t } = useTranslation();
  const { message } = App.useApp();
  const update = useUpdateTicket();
  const [problem, setProblem] = useState<string | null>(null);
  const [conflict, setConflict] = useState(false);
  // The ticket as it was when the agent started editing: changes are computed against it, and its version
  // goes with the save, which then fails with 409 if anyone else saved in between.
  const [base, setBase] = useState(ticket);

  const reset = (latest: Ticket) => {
    form.setFieldsValue(toValues(latest));
    setBase(latest);
    setConflict(false);
    setProblem(null);
  };

  const onFinish = (values: TicketFormValues) => {
    const changes = changedFields(base, values);
    if (Object.keys(changes).length === 0) {
      onClose();
      return;
    }
    setProblem(null);
    update.mutate(
      { ticketId: base.id, changes, version: base.version },
      {
        onSuccess: (saved) => {
          void message.success(t('tickets.edit.saved', { id: saved.id }));
          onClose();
        },
        onError: (error) => {
          if (isApiError(error) && error.status === 409) {
            setConflict(true);
            return;
          }
          const unplaced = applyServerErrors(form, error, TICKET_FIELDS);
          if (unplaced === null || unplaced.length > 0) setProblem(unplaced?.join('; ') || describeError(error));
        },
      },
    );
  };

  return (
    <>
      {conflict && (
        <Alert
          type="warning"
          showIcon
          role="alert"
          title={t('tickets.edit.conflictTitle')}
          description={t('tickets.edit.conflictHint')}
          action={<Button size="small" onClick={() => void onReload().then((latest) => { if (latest) reset(latest); })}>{t('tickets.edit.loadLatest')}</Button>}
          style={{ marginBottom: 16 }}
        />
      )}
      {problem && <Alert type="error" showIcon role="alert" title={t('tickets.edit.notSaved')} description={problem} style={{ marginBottom: 16 }} />}
      <Form<TicketFormValues> form={form} name="edit-ticket" layout="vertical" onFinish={onFinish} validateTrigger={['onChange', 'onBlur']} initialValues={toValues(base)}>
        <TicketFields withAssignee withContent={false} />
        <Flex gap={8} justify="flex-end">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" htmlType="submit" loading={update.isPending} disabled={conflict}>{t('tickets.edit.save')}</Button>
        </Flex>
      </Form>
    </>
  );
}

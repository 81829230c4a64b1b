import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Flex } from 'antd';
import type { Ticket } from '@/api/types';
import { ticketKeys } from '@/api/tickets/keys';
import { apiClient, describeError, unwrap } from '@/lib/api-client';

export function sendAiFeedback(ticketId: number, helpful: boolean): Promise<Ticket> {
  return unwrap(apiClient().POST('/api/tickets/{ticket_id}/ai-feedback', { params: { path: { ticket_id: ticketId } }, body: { helpful } }));
}

/** Under the AI's answer: "This solved my problem" resolves the ticket, "I still need help" hands it to a person. */
export function AiAnswerFeedback({ ticket }: { ticket: Ticket }) {
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const feedback = useMutation({
    mutationFn: (helpful: boolean) => sendAiFeedback(ticket.id, helpful),
    onSuccess: (updated) => {
      queryClient.setQueryData(ticketKeys.detail(ticket.id), updated);
      void queryClient.invalidateQueries({ queryKey: ticketKeys.all });
    },
    onError: (error) => void message.error(describeError(error)),
  });
  const answer = ticket.ai_response;
  if (!answer || answer.decision !== 'sent') return null;
  if (answer.feedback) {
    return (
      <Alert type={answer.feedback === 'helpful' ? 'success' : 'info'} showIcon
        title={answer.feedback === 'helpful' ? 'Glad the answer helped.' : 'A member of our team will take over.'} />
    );
  }
  return (
    <Alert type="info" showIcon data-testid="ai-answer-feedback"
      title="Our AI assistant answered your request (see the conversation). Did it solve your problem?"
      action={(
        <Flex gap={8}>
          <Button type="primary" loading={feedback.isPending && feedback.variables} onClick={() => feedback.mutate(true)}>This solved my problem</Button>
          <Button loading={feedback.isPending && !feedback.variables} onClick={() => feedback.mutate(false)}>I still need help</Button>
        </Flex>
      )} />
  );
}

/**
 * Names for the API's types. Everything here comes from schema.d.ts, which is generated from the
 * backend's OpenAPI document (`make openapi`): if the API changes shape, this stops compiling.
 */
import type { components, paths } from './schema';

type Schemas = components['schemas'];

export type User = Schemas['UserOut'];
export type UserCreate = Schemas['UserCreate'];
export type UserUpdate = Schemas['UserUpdate'];
export type Role = User['role'];
export type UserPage = Schemas['PageOf_UserOut'];
export type UserListQuery = NonNullable<paths['/api/users']['get']['parameters']['query']>;

export type Ticket = Schemas['TicketOut'];
export type TicketCreate = Schemas['TicketCreate'];
export type TicketUpdate = Schemas['TicketUpdate'];
export type TicketPage = Schemas['PageOf_TicketOut'];
export type TicketListQuery = NonNullable<paths['/api/tickets']['get']['parameters']['query']>;
export type TicketStatus = Ticket['status'];
export type TicketPriority = Ticket['priority'];

export type Reply = Schemas['ReplyOut'];
export type ReplyCreate = Schemas['ReplyCreate'];
export type ReplyPage = Schemas['PageOf_ReplyOut'];

export type TicketEvent = Schemas['EventOut'];
export type TicketEventPage = Schemas['PageOf_EventOut'];
export type SlaState = Ticket['sla_state'];
export type RatingIn = Schemas['RatingIn'];
export type MergeIn = Schemas['MergeIn'];

export type SlaPolicy = Schemas['SlaPolicyOut'];
export type SlaPolicyIn = Schemas['SlaPolicyIn'];
export type BusinessHours = Schemas['BusinessHoursIn'];
export type SlaTarget = Schemas['TargetIn'];

export type Webhook = Schemas['WebhookOut'];
export type WebhookIn = Schemas['WebhookIn'];
export type WebhookCreated = Schemas['WebhookCreated'];
export type WebhookEvent = WebhookIn['events'][number];

export type AnalyticsSummaryOut = Schemas['SummaryOut'];
export type AnalyticsQuery = NonNullable<paths['/api/analytics/summary']['get']['parameters']['query']>;

export type AiSuggestion = Schemas['SuggestionOut'];
export type AiSnippet = Schemas['Snippet'];
export type Classifier = Schemas['ClassifierOut'];
export type AiLabel = Schemas['LabelOut'];
export type AiLabelsIn = Schemas['LabelsIn'];
export type AiExample = Schemas['ExampleIn'];
export type AiExamplesAccepted = Schemas['ExamplesAccepted'];

export type LoginIn = Schemas['LoginIn'];
export type Tokens = Schemas['TokensOut'];
export type Me = Schemas['MeOut'];
export type ErrorBody = Schemas['ErrorBody'];

export const STATUSES: readonly TicketStatus[] = ['open', 'in_progress', 'pending', 'resolved', 'closed'];
export const PRIORITIES: readonly TicketPriority[] = ['low', 'medium', 'high', 'urgent'];
export const ROLES: readonly Role[] = ['requester', 'agent', 'admin'];
export const WEBHOOK_EVENTS: readonly WebhookEvent[] = ['ticket.created', 'ticket.updated', 'reply.created', 'sla.breached'];
/** Agents and admins work tickets; requesters only see their own. */
export const isStaff = (role: Role | undefined): boolean => role === 'agent' || role === 'admin';

export type KbDocument = Schemas['KbDocumentOut'];
export type KbDocumentPage = Schemas['KbDocumentPage'];
export type KbIngestIn = Schemas['KbIngestIn'];
export type KbIngestOut = Schemas['KbIngestOut'];
export type KbSearchIn = Schemas['KbSearchIn'];
export type KbSearchOut = Schemas['KbSearchOut'];
export type KbHit = Schemas['KbHit'];
export type KbDeleteOut = Schemas['KbDeleteOut'];
export type Attachment = Schemas['AttachmentOut'];
export type AttachmentDownload = Schemas['AttachmentDownload'];
export type AttachmentUploadOut = Schemas['AttachmentUpload'];

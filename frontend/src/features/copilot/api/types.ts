import type { components } from '@/api/schema';

type Schemas = components['schemas'];

export type CopilotSession = Schemas['CopilotSessionOut'];
export type CopilotSessionDetail = Schemas['CopilotSessionDetail'];
export type CopilotSessionPage = Schemas['CopilotSessionPage'];
export type CopilotMessage = Schemas['CopilotMessageOut'];
export type CopilotSource = Schemas['CopilotSource'];
export type CopilotTurn = Schemas['CopilotTurnOut'];
export type CopilotSessionIn = Schemas['CopilotSessionIn'];

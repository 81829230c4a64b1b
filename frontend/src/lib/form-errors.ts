import type { FormInstance } from 'antd';
import { isApiError } from './api-client';

/** Friendlier words for messages the API sends about specific fields. */
const REWORDS: Record<string, Record<string, string>> = {
  requester_id: { 'no user with this id': 'No user has this id. Pick a requester from the list.' },
  assignee_id: { 'no user with this id': 'No user has this id. Pick an agent from the list.' },
  author_id: { 'no user with this id': 'No user has this id. Pick an author from the list.' },
};

/**
 * Put a 422's field details next to the matching form fields. Returns the messages that belong to no
 * field in this form (show those in an alert), or null when the error has no field details.
 */
export function applyServerErrors(form: FormInstance, error: unknown, fields: readonly string[]): string[] | null {
  if (!isApiError(error) || error.details.length === 0) return null;
  const byField = error.fieldErrors();
  const unplaced: string[] = [];
  const toSet: { name: string; errors: string[] }[] = [];
  for (const [field, messages] of Object.entries(byField)) {
    const worded = messages.map((m) => REWORDS[field]?.[m] ?? m);
    if (fields.includes(field)) toSet.push({ name: field, errors: worded });
    else unplaced.push(...worded.map((m) => `${field}: ${m}`));
  }
  form.setFields(toSet);
  return unplaced;
}

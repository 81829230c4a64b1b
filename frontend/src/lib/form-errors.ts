import type { FormInstance } from 'antd';
import i18next from 'i18next';
import { isApiError } from './api-client';

// The API words its field problems in English (pydantic's messages and our own). The ones a person can meet
// in the console are said again in the console's language; anything else is shown as the API sent it.
const KNOWN: [RegExp, string][] = [
  [/^Field required$/i, 'common.fieldErrors.required'],
  [/^String should have at most (\d+) characters?$/i, 'common.fieldErrors.tooLong'],
  [/^String should have at least (\d+) characters?$/i, 'common.fieldErrors.tooShort'],
  [/^no user with this id$/i, 'common.fieldErrors.noUser'],
  [/^no agent or admin with this id$/i, 'common.fieldErrors.noAgent'],
  [/^already registered$/i, 'common.fieldErrors.alreadyRegistered'],
  [/^not a valid e-mail address/i, 'common.fieldErrors.email'],
  [/^value is not a valid email address/i, 'common.fieldErrors.email'],
  [/^written by the requester; it cannot be edited$/i, 'common.fieldErrors.customerWords'],
  [/^must not be blank|^String should match pattern/i, 'common.fieldErrors.invalid'],
];

/** A field problem from the API in the console's language (unknown messages pass through). */
export function translateFieldMessage(message: string): string {
  for (const [pattern, key] of KNOWN) {
    const match = pattern.exec(message);
    if (match) return i18next.t(key, { count: Number(match[1] ?? 0) });
  }
  return message;
}

/**
 * Put a 422's field details next to the matching form fields. Returns the messages that belong to no
 * field in this form (show those in an alert), or null when the error has no field details. `labels` names
 * the API's fields the way this form's labels do ("title" is "Subject" on the requester's form).
 */
export function applyServerErrors(form: FormInstance, error: unknown, fields: readonly string[], labels: Record<string, string> = {}): string[] | null {
  if (!isApiError(error) || error.details.length === 0) return null;
  const byField = error.fieldErrors();
  const unplaced: string[] = [];
  const toSet: { name: string; errors: string[] }[] = [];
  for (const [field, messages] of Object.entries(byField)) {
    const worded = messages.map(translateFieldMessage);
    if (fields.includes(field)) toSet.push({ name: field, errors: worded });
    else unplaced.push(...worded.map((m) => `${labels[field] ?? field}: ${m}`));
  }
  form.setFields(toSet);
  return unplaced;
}

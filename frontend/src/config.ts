/** Runtime settings, read from /config.json next to index.html: one build serves every stage. */
export interface RuntimeConfig {
  /** Where the API lives; empty means the console's own origin (CloudFront routes /api/* to API Gateway). */
  apiBaseUrl: string;
}

let current: RuntimeConfig = { apiBaseUrl: '' };

export function parseConfig(raw: unknown): RuntimeConfig {
  if (typeof raw !== 'object' || raw === null) {
    throw new Error('config.json must hold a JSON object such as {"apiBaseUrl": ""}');
  }
  const base = (raw as Record<string, unknown>).apiBaseUrl ?? '';
  if (typeof base !== 'string') {
    throw new Error('config.json: apiBaseUrl must be a string (empty for the same origin)');
  }
  return { apiBaseUrl: base.replace(/\/+$/, '') };
}

export async function loadConfig(url = '/config.json'): Promise<RuntimeConfig> {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) {
    throw new Error(`could not load ${url} (HTTP ${response.status})`);
  }
  current = parseConfig(await response.json());
  return current;
}

export function getConfig(): RuntimeConfig {
  return current;
}

export function setConfig(config: RuntimeConfig): void {
  current = config;
}

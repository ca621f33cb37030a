// The admin JSON API, with the token as a bearer header (never in a URL). The token lives in sessionStorage:
// this tab only, gone when it closes.
const KEY = 'gateway-admin-token';

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (value) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function get(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  const url = query.size ? `${path}?${query}` : path;
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token.get()}`, Accept: 'application/json' }, cache: 'no-store' });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(response.status, body?.error?.message ?? `HTTP ${response.status}`, body?.error?.code);
  }
  return body;
}

// Event ids are UUIDv7: the first 48 bits are the Unix time in ms, so the smallest id of a moment is a keyset bound
// for GET /admin/events?after= (events come oldest first).
export function idAt(ms) {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}

// The tenant's last `count` events: the narrowest recent window holding them, read to its end.
export async function recentEvents(tenant, count, now = Date.now()) {
  const windows = [5 * 60e3, 3600e3, 24 * 3600e3, 7 * 24 * 3600e3, 90 * 24 * 3600e3];
  let found = [];
  for (const span of windows) {
    let after = idAt(now - span);
    found = [];
    for (let page = 0; page < 20; page++) {
      const answer = await get('/admin/events', { tenant, limit: 1000, after });
      found = found.concat(answer.data).slice(-count);
      if (!answer.has_more || answer.data.length === 0) break;
      after = answer.data[answer.data.length - 1].event_id;
    }
    if (found.length >= count) break;
  }
  return found.reverse();
}

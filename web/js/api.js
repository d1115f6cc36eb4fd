// The HTTP client: JSON in and out, the {success, data | error} envelope unwrapped, errors as ApiError.
// Authentication rides on the HttpOnly session cookie that /api/auth/login sets; no token is kept in JS.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

let onUnauthenticated = null;

/** Called once when any request answers 401 (signed out elsewhere, token revoked). */
export function setUnauthenticatedHandler(fn) {
  onUnauthenticated = fn;
}

export async function request(method, path, body, { signal, quiet401 = false } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network_error', 'The server cannot be reached. Check your connection.');
  }
  let payload;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  if (!response.ok || !payload || payload.success !== true) {
    const error = (payload && payload.error) || {};
    const failure = new ApiError(
      response.status,
      error.code || `http_${response.status}`,
      error.message || response.statusText || 'Request failed',
    );
    if (response.status === 401 && !quiet401 && onUnauthenticated) onUnauthenticated(failure);
    throw failure;
  }
  return payload.data;
}

export const api = {
  get: (path, options) => request('GET', path, undefined, options),
  post: (path, body = {}, options) => request('POST', path, body, options),
  patch: (path, body = {}, options) => request('PATCH', path, body, options),
  put: (path, body = {}, options) => request('PUT', path, body, options),
  delete: (path, options) => request('DELETE', path, undefined, options),
};

/** Query string from an object, skipping empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const paths = {
  me: '/api/me',
  login: '/api/auth/login',
  logout: '/api/auth/logout',
  signup: '/api/signup',
  leads: (params = {}) => `/api/leads${query(params)}`,
  lead: (id) => `/api/leads/${encodeURIComponent(id)}`,
  leadMessages: (id, params = {}) => `/api/leads/${encodeURIComponent(id)}/messages${query(params)}`,
  leadSentiment: (id) => `/api/leads/${encodeURIComponent(id)}/sentiment`,
  leadDrafts: (id, params = {}) => `/api/leads/${encodeURIComponent(id)}/drafts${query(params)}`,
  leadRead: (id) => `/api/leads/${encodeURIComponent(id)}/read`,
  leadActivity: (id, params = {}) => `/api/leads/${encodeURIComponent(id)}/activity${query(params)}`,
  leadInsight: (id) => `/api/leads/${encodeURIComponent(id)}/insight`,
  draft: (id) => `/api/drafts/${encodeURIComponent(id)}`,
  approve: (id) => `/api/drafts/${encodeURIComponent(id)}/approve`,
  reject: (id) => `/api/drafts/${encodeURIComponent(id)}/reject`,
  insights: (params = {}) => `/api/insights${query(params)}`,
  members: '/api/workspace/members',
  workspace: '/api/workspace',
  sendAgain: (id) => `/api/messages/${encodeURIComponent(id)}/send`,
  integrations: '/api/integrations',
  integration: (provider) => `/api/integrations/${encodeURIComponent(provider)}`,
  checkIntegration: (provider) => `/api/integrations/${encodeURIComponent(provider)}/check`,
};

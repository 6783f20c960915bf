// The few REST account routes the web app uses (Coder-compatible, same origin, cookie auth).

export class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly detail?: string,
    readonly validations: { field: string; detail: string }[] = [],
  ) {
    super(message);
  }
}

async function request(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = await response.json();
    if (value && typeof value === 'object' && !Array.isArray(value)) parsed = value as Record<string, unknown>;
  } catch {
    // an empty or non-JSON body
  }
  return { status: response.status, body: parsed };
}

function toError(status: number, body: Record<string, unknown>, fallback: string): RestError {
  const message = typeof body.message === 'string' && body.message ? body.message : fallback;
  const detail = typeof body.detail === 'string' ? body.detail : undefined;
  const validations = Array.isArray(body.validations)
    ? body.validations.filter((v): v is { field: string; detail: string } => typeof v?.field === 'string' && typeof v?.detail === 'string')
    : [];
  return new RestError(status, message, detail, validations);
}

/** POST /api/v2/users/login: sets the HttpOnly session cookie. */
export async function signIn(email: string, password: string): Promise<void> {
  const { status, body } = await request('POST', '/api/v2/users/login', { email, password });
  if (status !== 201 && status !== 200) throw toError(status, body, 'Failed to sign in.');
}

/** POST /api/v2/users/logout: revokes the session and clears the cookie. */
export async function signOut(): Promise<void> {
  const { status, body } = await request('POST', '/api/v2/users/logout');
  // 401: the session was already gone, which is what signing out wants.
  if (status !== 200 && status !== 401) throw toError(status, body, 'Failed to sign out.');
}

/** GET /api/v2/users/first: whether the first user (the owner) has been created. */
export async function firstUserExists(): Promise<boolean> {
  const { status, body } = await request('GET', '/api/v2/users/first');
  if (status === 404) return false;
  if (status === 200) return true;
  throw toError(status, body, 'Failed to check whether the first user exists.');
}

export interface FirstUserInput {
  email: string;
  username: string;
  password: string;
  name?: string;
}

/** POST /api/v2/users/first: creates the first user, who becomes the owner. */
export async function createFirstUser(input: FirstUserInput): Promise<void> {
  const { status, body } = await request('POST', '/api/v2/users/first', input);
  if (status !== 201) throw toError(status, body, 'Failed to create the first user.');
}

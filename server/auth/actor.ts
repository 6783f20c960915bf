/** The caller, resolved once per request or WebSocket connection. Read-only. */
export type Role = 'owner' | 'auditor' | 'member';
export const ROLES: readonly Role[] = ['owner', 'auditor', 'member'];

export interface Actor {
  userId: string;
  username: string;
  email: string;
  role: Role;
  /** The API key row that authenticated this caller. */
  keyId: string;
}

import type { AuthStatus } from './api/control';
import type { Account, User } from './api/wire';
import { client } from './context';

const USER_KEY = 'topk.user';

/** Who is signed in, and whose music the charts and sources screens show. */
export const session = $state({
  auth: null as AuthStatus | null,
  authLoaded: false,
  authError: null as string | null,
  users: [] as User[],
  usersLoaded: false,
  /** the user the charts/sources screens show */
  userId: null as string | null,
  /** true once the person picked a user (or one was remembered); until then the signed-in account wins */
  userChosen: false,
});

export function activeAccount(): Account | null {
  return session.auth?.active ?? null;
}

export function selectUser(id: string | null): void {
  session.userId = id;
  session.userChosen = !!id;
  try {
    if (id) localStorage.setItem(USER_KEY, id);
  } catch {
    // storage unavailable
  }
}

function storedUser(): string | null {
  try {
    return localStorage.getItem(USER_KEY);
  } catch {
    return null;
  }
}

export async function refreshAuth(): Promise<void> {
  try {
    const a = await client().control.auth();
    session.auth = { accounts: a.accounts ?? [], active: a.active ?? null };
    session.authError = null;
  } catch (e) {
    session.authError = (e as Error).message;
  } finally {
    session.authLoaded = true;
  }
  if (!session.userChosen) {
    const stored = storedUser();
    const fromAccount = session.auth?.active?.user_id;
    if (stored) {
      session.userId = stored;
      session.userChosen = true;
    } else if (fromAccount) session.userId = fromAccount;
  }
}

/** Makes the account active and shows its music. */
export async function switchAccount(userId: string): Promise<void> {
  await client().control.switchAccount(userId);
  await refreshAuth();
  selectUser(userId);
}

/** Signs the account out (the control server revokes its token) and reloads who is signed in. */
export async function signOutAccount(userId: string): Promise<void> {
  await client().control.signOut(userId);
  await refreshAuth();
}

export async function refreshUsers(): Promise<void> {
  const users = await client().engine.listUsers();
  users.sort((a, b) => (a.display_name ?? a.user_id).localeCompare(b.display_name ?? b.user_id));
  session.users = users;
  session.usersLoaded = true;
  if (!session.userId || !users.some((u) => u.user_id === session.userId)) {
    const preferred = session.auth?.active?.user_id;
    const pick = users.find((u) => u.user_id === preferred) ?? users[0];
    if (pick) session.userId = pick.user_id;
  }
}

export function userLabel(id: string | null): string {
  if (!id) return 'No user';
  const u = session.users.find((x) => x.user_id === id);
  return u?.display_name || id;
}

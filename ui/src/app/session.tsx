import type { WhoamiDto } from '@casefile/contract';
import { createContext, useContext } from 'react';
import type { ApiClient } from '../lib/api-client';

export interface Session {
  api: ApiClient;
  user: WhoamiDto;
  logout: () => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside a signed-in app');
  return session;
}

/** The project in the URL, else the user's first project ('' if they have none). */
export function pickProject(user: WhoamiDto, fromUrl: string | null): string {
  if (fromUrl !== null && fromUrl !== '') return fromUrl;
  return user.projects[0]?.id ?? '';
}

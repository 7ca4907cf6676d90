import type { ConsentSession, SessionStatus, SessionStore } from '../../lib/oauth2/sessions.js';

/** SessionStore in memory: transitions are conditional on the status, as the DynamoDB adapter's. */
export class InMemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, ConsentSession>();

  async create(session: ConsentSession): Promise<void> {
    if (this.sessions.has(session.id)) throw new Error(`session ${session.id} exists`);
    this.sessions.set(session.id, structuredClone(session));
  }

  async get(id: string): Promise<ConsentSession | undefined> {
    const session = this.sessions.get(id);
    return session && structuredClone(session);
  }

  async transition(id: string, from: SessionStatus[], to: SessionStatus, changes: Partial<ConsentSession> = {}): Promise<boolean> {
    const session = this.sessions.get(id);
    if (!session || !from.includes(session.status)) return false;
    const next: ConsentSession = { ...session, ...structuredClone(changes), status: to };
    // An attribute set to undefined is removed, as an UpdateExpression's REMOVE does.
    for (const [key, value] of Object.entries(changes)) if (value === undefined) delete (next as unknown as Record<string, unknown>)[key];
    this.sessions.set(id, next);
    return true;
  }

  async delete(id: string): Promise<void> {
    this.sessions.delete(id);
  }

  async deleteByProvider(provider: string): Promise<number> {
    return this.deleteWhere((session) => session.provider === provider);
  }

  async deleteByWorkload(workloadIncarnation: string): Promise<number> {
    return this.deleteWhere((session) => session.workloadIncarnation === workloadIncarnation);
  }

  private deleteWhere(match: (session: ConsentSession) => boolean): number {
    let deleted = 0;
    for (const [id, session] of this.sessions) if (match(session) && this.sessions.delete(id)) deleted += 1;
    return deleted;
  }
}

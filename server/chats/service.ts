import { randomUUID } from 'node:crypto';
import type { Actor } from '../auth/actor.ts';
import { canReadChat, canWriteChat, type ChatAccessFacts } from '../auth/policy.ts';
import type { Lazy, ServiceDeps } from '../context.ts';
import { debugTopic, recordRunDeletions } from '../debug/events.ts';
import { forbidden, invalid, notFound, storage } from '../errors.ts';
import type { Chat } from '../generated/prisma/client.ts';
import { NIL_UUID } from '../util/uuid.ts';

export interface ChatView extends Chat {
  /** Owner and readers of the root chat: what decides access to this chat. */
  access: ChatAccessFacts;
}

export interface NewChatInput {
  title: string;
  parent_chat_id: string;
  model_config_id: string;
  workspace_template_modules: string[];
}

export interface ChatPatch {
  title?: string;
  archived?: boolean;
}

export const CHAT_TOPIC = (chatId: string) => `chat:${chatId}`;
export const CHATS_TOPIC = 'chats';

/** A chat with its root's owner and `read` sharees: everything an access decision needs. */
const CHAT_VIEW_SELECT = `SELECT c.id::text, c.owner_id::text, c.title, c.parent_chat_id::text, c.root_chat_id::text, c.archived,
    c.model_config_id::text, c.debug_event_seq::text, c.workspace_template_modules, c.created_at, c.updated_at,
    r.owner_id::text AS root_owner_id,
    ARRAY(SELECT a.user_id::text FROM chat_acl a WHERE a.chat_id = c.root_chat_id AND a.role = 'read') AS reader_ids
  FROM chats c LEFT JOIN chats r ON r.id = c.root_chat_id`;

interface ChatViewRow {
  id: string;
  owner_id: string;
  title: string;
  parent_chat_id: string | null;
  root_chat_id: string;
  archived: boolean;
  model_config_id: string | null;
  debug_event_seq: string;
  workspace_template_modules: string[];
  created_at: Date | string;
  updated_at: Date | string;
  root_owner_id: string | null;
  reader_ids: string[] | null;
}

function toChatView(row: ChatViewRow): ChatView {
  return {
    id: row.id,
    ownerId: row.owner_id,
    title: row.title,
    parentChatId: row.parent_chat_id,
    rootChatId: row.root_chat_id,
    archived: row.archived,
    modelConfigId: row.model_config_id,
    debugEventSeq: BigInt(row.debug_event_seq),
    workspaceTemplateModules: row.workspace_template_modules ?? [],
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    access: { rootOwnerId: row.root_owner_id ?? row.owner_id, rootReaderIds: row.reader_ids ?? [] },
  };
}

export class ChatService {
  constructor(private readonly deps: ServiceDeps) {}

  private get db() {
    return this.deps.db;
  }

  /** The chat with its root's owner and readers, in one query (this runs on every chat request). */
  private async load(chatId: string): Promise<ChatView | null> {
    const [row] = await this.deps.sql.query<ChatViewRow>(`${CHAT_VIEW_SELECT} WHERE c.id = $1::uuid`, [chatId]);
    return row ? toChatView(row) : null;
  }

  /** The chat if the caller may read it; otherwise the same 404 as a chat that does not exist. */
  async getReadable(actor: Actor, chatId: string): Promise<ChatView> {
    const chat = await this.load(chatId);
    if (!chat || !canReadChat(actor, chat.access)) throw notFound();
    return chat;
  }

  /** Readable and owned: a reader gets 403, anyone else 404. */
  async getWritable(actor: Actor, chatId: string): Promise<ChatView> {
    const chat = await this.getReadable(actor, chatId);
    if (!canWriteChat(actor, chat.access)) throw forbidden();
    return chat;
  }

  /** Readable or null, for GraphQL fields that answer null for "no access". */
  async findReadable(actor: Actor, chatId: string): Promise<ChatView | null> {
    const chat = await this.load(chatId);
    return chat && canReadChat(actor, chat.access) ? chat : null;
  }

  async create(actor: Actor, input: Lazy<NewChatInput>): Promise<Chat> {
    const body = (await input());
    const modules = body.workspace_template_modules.map((m) => m.trim()).filter(Boolean);
    const id: string = randomUUID();
    let ownerId = actor.userId;
    let rootChatId = id;
    let parentChatId: string | null = null;
    if (body.parent_chat_id !== NIL_UUID) {
      // A subagent chat belongs to the root chat's owner; only that owner may create one.
      const parent = await this.getWritable(actor, body.parent_chat_id);
      ownerId = parent.access.rootOwnerId;
      rootChatId = parent.rootChatId;
      parentChatId = parent.id;
    }
    if (body.model_config_id !== NIL_UUID) {
      const config = await this.db.modelConfig.findFirst({ where: { id: body.model_config_id, deletedAt: null }, select: { id: true } });
      if (!config) throw invalid(`model_config_id ${JSON.stringify(body.model_config_id)} does not match any existing model config.`);
    }
    const chat = await storage('Internal error creating chat.', () =>
      this.db.chat.create({
        data: {
          id,
          ownerId,
          title: body.title.trim(),
          parentChatId,
          rootChatId,
          modelConfigId: body.model_config_id === NIL_UUID ? null : body.model_config_id,
          workspaceTemplateModules: [...new Set(modules)],
        },
      }),
    );
    this.deps.events.publish(CHATS_TOPIC, { chatId: chat.id, kind: 'CREATED' });
    return chat;
  }

  /** Chats the caller owns, and chats whose root is shared with the caller; newest activity first. */
  async list(actor: Actor): Promise<ChatView[]> {
    const rows = await storage('Internal error fetching chats.', () =>
      this.deps.sql.query<ChatViewRow>(
        `${CHAT_VIEW_SELECT}
         WHERE c.owner_id = $1::uuid
            OR EXISTS (SELECT 1 FROM chat_acl a WHERE a.chat_id = c.root_chat_id AND a.user_id = $1::uuid AND a.role = 'read')
         ORDER BY c.updated_at DESC, c.id DESC`,
        [actor.userId],
      ),
    );
    return rows.map(toChatView).filter((view) => canReadChat(actor, view.access));
  }

  async update(actor: Actor, chatId: string, input: Lazy<ChatPatch>): Promise<ChatView> {
    const chat = await this.getWritable(actor, chatId);
    const patch = (await input());
    const wakeups: [string, bigint][] = [];
    await storage('Internal error updating chat.', () =>
      this.deps.sql.transaction(async (sql) => {
        await sql.query(
          `UPDATE chats SET title = COALESCE($2, title), archived = COALESCE($3, archived), updated_at = $4::timestamptz WHERE id = $1::uuid`,
          [chat.id, patch.title === undefined ? null : patch.title.trim(), patch.archived ?? null, new Date().toISOString()],
        );
        if (patch.archived === true && !chat.archived) {
          // Archiving removes the debug data of the chat and of its subagent chats; unarchiving does not restore it.
          const deleted = await sql.query<{ id: string; chat_id: string }>(
            `WITH RECURSIVE tree AS (
               SELECT id FROM chats WHERE id = $1::uuid
               UNION ALL SELECT c.id FROM chats c JOIN tree t ON c.parent_chat_id = t.id)
             DELETE FROM chat_debug_runs WHERE chat_id IN (SELECT id FROM tree) RETURNING id::text, chat_id::text`,
            [chat.id],
          );
          wakeups.push(...(await recordRunDeletions(sql, deleted)));
        }
      }),
    );
    for (const [chatId, seq] of wakeups) this.deps.events.publish(debugTopic(chatId), { chatId, seq: seq.toString() });
    this.deps.events.publish(CHAT_TOPIC(chat.id), { chatId: chat.id, kind: 'UPDATED' });
    return (await this.load(chat.id))!;
  }

  /** Deletes the chat, its subagent chats at any depth and all their debug data, in one statement. */
  async delete(actor: Actor, chatId: string): Promise<void> {
    const chat = await this.getWritable(actor, chatId);
    const ids = await this.subtreeIds(chat.id);
    await storage('Internal error deleting chat.', () => this.db.chat.delete({ where: { id: chat.id } }));
    for (const id of ids) this.deps.events.publish(CHAT_TOPIC(id), { chatId: id, kind: 'DELETED' });
  }

  async subtreeIds(chatId: string): Promise<string[]> {
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      WITH RECURSIVE tree AS (
        SELECT id FROM chats WHERE id = ${chatId}::uuid
        UNION ALL SELECT c.id FROM chats c JOIN tree t ON c.parent_chat_id = t.id)
      SELECT id FROM tree`;
    return rows.map((r) => r.id);
  }

  /** Sets or removes `read` shares. `""` removes. Users must exist. */
  async updateAcl(actor: Actor, chatId: string, input: Lazy<Record<string, string>>): Promise<void> {
    const chat = await this.getWritable(actor, chatId);
    const roles = (await input());
    const entries = Object.entries(roles);
    for (const [userId, role] of entries) {
      if (role !== 'read' && role !== '') throw invalid(`Invalid role ${JSON.stringify(role)} for user ${userId}.`, 'Expected "read" or "".');
    }
    const userIds = entries.map(([id]) => id);
    const found = await this.db.user.findMany({ where: { id: { in: userIds } }, select: { id: true } });
    const missing = userIds.filter((id) => !found.some((u) => u.id === id));
    if (missing.length) throw invalid(`User ${missing[0]} does not exist.`);
    if (userIds.includes(chat.access.rootOwnerId)) throw invalid('The chat owner cannot be added to the chat ACL.');
    // Known before the change commits, so streams are told at once after it.
    const tree = await this.subtreeIds(chat.id);
    await storage('Internal error updating chat ACL.', () =>
      this.db.$transaction(async (tx) => {
        for (const [userId, role] of entries) {
          if (role === '') await tx.chatAcl.deleteMany({ where: { chatId: chat.id, userId } });
          else await tx.chatAcl.upsert({ where: { chatId_userId: { chatId: chat.id, userId } }, create: { chatId: chat.id, userId, role }, update: { role } });
        }
      }),
    );
    // Readers of the root chat read every chat in the tree: tell every open stream to re-check.
    for (const id of tree) this.deps.events.publish(CHAT_TOPIC(id), { chatId: id, kind: 'ACL_CHANGED' });
  }

  async aclOf(actor: Actor, chatId: string): Promise<{ userId: string; role: string }[]> {
    const chat = await this.getWritable(actor, chatId);
    return this.db.chatAcl.findMany({ where: { chatId: chat.id }, select: { userId: true, role: true }, orderBy: { userId: 'asc' } });
  }
}

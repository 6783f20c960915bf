import type { ChatView } from '../chats/service.ts';
import { canWriteChat } from '../auth/policy.ts';
import { NIL_UUID } from '../util/uuid.ts';
import { requireActor, uuidArg } from './actor.ts';
import { ResolvedAdvisorRef } from './advisor.ts';
import { builder } from './builder.ts';
import { DesktopAvailabilityRef } from './desktop.ts';
import { UserRef } from './users.ts';

export const ChatRef = builder.objectRef<ChatView>('Chat').implement({
  description: 'A chat. Readable by its root chat owner and the users the root chat is shared with; nobody else.',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    title: t.exposeString('title', { nullable: false }),
    ownerId: t.exposeID('ownerId', { nullable: false }),
    owner: t.field({ type: UserRef, resolve: (chat, _a, context) => context.services.users.getUser(chat.ownerId) }),
    parentChatId: t.id({ resolve: (chat) => chat.parentChatId }),
    rootChatId: t.exposeID('rootChatId', { nullable: false }),
    modelConfigId: t.id({ resolve: (chat) => chat.modelConfigId }),
    archived: t.exposeBoolean('archived', { nullable: false }),
    workspaceTemplateModules: t.exposeStringList('workspaceTemplateModules', { nullable: false }),
    createdAt: t.field({ type: 'DateTime', nullable: false, resolve: (chat) => chat.createdAt }),
    updatedAt: t.field({ type: 'DateTime', nullable: false, resolve: (chat) => chat.updatedAt }),
    viewerIsOwner: t.boolean({ nullable: false, resolve: (chat, _a, context) => context.actor !== null && canWriteChat(context.actor, chat.access) }),
    sharedWith: t.field({
      type: [UserRef],
      description: 'Users the root chat is shared with for read; visible to the owner only.',
      resolve: async (chat, _a, context) => {
        const actor = requireActor(context);
        if (!canWriteChat(actor, chat.access)) return null;
        const users = await Promise.all(chat.access.rootReaderIds.map((id) => context.services.users.getUser(id)));
        return users.filter((u) => u !== null);
      },
    }),
    desktopAvailability: t.field({
      type: DesktopAvailabilityRef,
      args: { planMode: t.arg.boolean({ defaultValue: false }) },
      resolve: (chat, args, context) => context.services.desktop.chatAvailability(requireActor(context), chat.id, args.planMode ?? false),
    }),
    advisor: t.field({
      type: ResolvedAdvisorRef,
      args: { planMode: t.arg.boolean({ defaultValue: false }), runKey: t.arg.string() },
      resolve: (chat, args, context) =>
        context.services.advisor.resolveForChat(requireActor(context), chat.id, { planMode: args.planMode ?? false, runKey: args.runKey ?? undefined }),
    }),
  }),
});

const NewChatInput = builder.inputType('NewChatInput', {
  fields: (t) => ({
    title: t.string(),
    parentChatId: t.id({ description: 'Makes a subagent chat, owned and shared like its root chat.' }),
    modelConfigId: t.id(),
    workspaceTemplateModules: t.stringList(),
  }),
});

const ChatRoleEnum = builder.enumType('ChatRole', { values: { READ: { value: 'read' }, NONE: { value: '' } } as const });

builder.queryFields((t) => ({
  chats: t.field({
    type: [ChatRef],
    description: 'Chats the caller owns and chats shared with the caller, most recently updated first.',
    authScopes: { signedIn: true },
    resolve: (_root, _args, context) => context.services.chats.list(requireActor(context)),
  }),
  chat: t.field({
    type: ChatRef,
    description: 'Null when the chat does not exist or the caller may not read it.',
    authScopes: { signedIn: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => context.services.chats.findReadable(requireActor(context), uuidArg(args.id)),
  }),
}));

builder.mutationFields((t) => ({
  createChat: t.field({
    type: ChatRef,
    authScopes: { signedIn: true },
    args: { input: t.arg({ type: NewChatInput, required: false }) },
    resolve: async (_root, { input }, context) => {
      const actor = requireActor(context);
      const chat = await context.services.chats.create(actor, () => ({
        title: input?.title ?? '',
        parent_chat_id: input?.parentChatId ? uuidArg(input.parentChatId) : NIL_UUID,
        model_config_id: input?.modelConfigId ? uuidArg(input.modelConfigId) : NIL_UUID,
        workspace_template_modules: input?.workspaceTemplateModules ?? [],
      }));
      return context.services.chats.getReadable(actor, chat.id);
    },
  }),
  updateChat: t.field({
    type: ChatRef,
    authScopes: { signedIn: true },
    args: { id: t.arg.id({ required: true }), title: t.arg.string(), archived: t.arg.boolean() },
    resolve: (_root, args, context) =>
      context.services.chats.update(requireActor(context), uuidArg(args.id), () => ({
        title: args.title ?? undefined,
        archived: args.archived ?? undefined,
      })),
  }),
  deleteChat: t.boolean({
    authScopes: { signedIn: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, context) => {
      await context.services.chats.delete(requireActor(context), uuidArg(args.id));
      return true;
    },
  }),
  setChatShare: t.field({
    type: ChatRef,
    description: 'Shares the chat with a user for read, or removes the share with NONE (chat owner only).',
    authScopes: { signedIn: true },
    args: { chatId: t.arg.id({ required: true }), userId: t.arg.id({ required: true }), role: t.arg({ type: ChatRoleEnum, required: true }) },
    resolve: async (_root, args, context) => {
      const actor = requireActor(context);
      const chatId = uuidArg(args.chatId);
      await context.services.chats.updateAcl(actor, chatId, () => ({ [uuidArg(args.userId)]: args.role }));
      return context.services.chats.getReadable(actor, chatId);
    },
  }),
}));

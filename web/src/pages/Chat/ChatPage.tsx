import { useParams } from '@solidjs/router';
import { createMemo } from 'solid-js';
import { ChatQuery, createQuery, errorCode, serverMessage, useClient, useLiveConnection } from '../../graphql/index.ts';
import { ChatView } from './ChatView.tsx';
import { createDebugFeed } from './debug/feed.ts';

export function ChatPage() {
  const params = useParams<{ chat: string }>();
  const client = useClient();
  const connection = useLiveConnection();
  const [result] = createQuery({ query: ChatQuery, variables: () => ({ id: params.chat }) });
  // An id that is not a UUID is answered with BAD_USER_INPUT: to the viewer it is a chat that does not exist.
  const notFound = () => ['NOT_FOUND', 'BAD_USER_INPUT'].includes(errorCode(result.error) ?? '');
  const chat = () => {
    if (notFound()) return null;
    if (result.data) return result.data.chat ?? null;
    return undefined;
  };
  // Debug data only for a chat the viewer can read (a stranger's chat is null): one live feed per chat.
  const readableChatId = createMemo(() => chat()?.id);
  const debug = createMemo(() => {
    const id = readableChatId();
    return id ? createDebugFeed({ client, connection, chatId: id }) : undefined;
  });
  return (
    <ChatView
      chatId={params.chat}
      chat={chat()}
      debug={debug()}
      loading={result.fetching}
      error={result.error && !notFound() ? (serverMessage(result.error) ?? 'Check your connection and try again.') : undefined}
    />
  );
}

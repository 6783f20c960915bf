import { useParams } from '@solidjs/router';
import { ChatQuery, createQuery, errorCode, serverMessage } from '../../graphql/index.ts';
import { ChatView } from './ChatView.tsx';

export function ChatPage() {
  const params = useParams<{ chat: string }>();
  const [result] = createQuery({ query: ChatQuery, variables: () => ({ id: params.chat }) });
  // An id that is not a UUID is answered with BAD_USER_INPUT: to the viewer it is a chat that does not exist.
  const notFound = () => ['NOT_FOUND', 'BAD_USER_INPUT'].includes(errorCode(result.error) ?? '');
  const chat = () => {
    if (notFound()) return null;
    if (result.data) return result.data.chat ?? null;
    return undefined;
  };
  return (
    <ChatView
      chatId={params.chat}
      chat={chat()}
      loading={result.fetching}
      error={result.error && !notFound() ? (serverMessage(result.error) ?? 'Check your connection and try again.') : undefined}
    />
  );
}

import { useNavigate } from '@solidjs/router';
import { createSignal } from 'solid-js';
import { ChatsQuery, CreateChatMutation, createMutation, createQuery, serverMessage } from '../../graphql/index.ts';
import { AgentsView } from './AgentsView.tsx';

export function AgentsPage() {
  const navigate = useNavigate();
  const [chats] = createQuery({ query: ChatsQuery, context: { additionalTypenames: ['Chat'] } });
  const [creation, createChat] = createMutation(CreateChatMutation);
  const [createError, setCreateError] = createSignal<string>();
  const onCreateChat = async () => {
    setCreateError(undefined);
    const result = await createChat({});
    const chat = result.data?.createChat;
    if (chat) navigate(`/agents/${chat.id}`);
    else setCreateError(serverMessage(result.error) ?? 'Failed to create a chat.');
  };
  return (
    <AgentsView
      chats={chats.data?.chats ?? undefined}
      loading={chats.fetching}
      error={chats.error ? (serverMessage(chats.error) ?? 'Check your connection and try again.') : undefined}
      creating={creation.fetching}
      createError={createError()}
      onCreateChat={onCreateChat}
    />
  );
}

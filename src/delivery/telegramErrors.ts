// What a Telegram error means for a message, decided once: wait and resend, move the chat, fall back to plain, give up on the chat, retry later, or drop.

export type SendVerdict =
  | { action: 'wait'; ms: number }
  | { action: 'migrate'; toChatId: number }
  | { action: 'plain' }
  | { action: 'deactivate'; reason: string }
  | { action: 'topic' }
  | { action: 'retry' }
  | { action: 'drop'; reason: string };

interface TelegramLikeError {
  code?: number;
  response?: { error_code?: number; description?: string; parameters?: { retry_after?: number; migrate_to_chat_id?: number } };
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
  message?: string;
}

export function classifySendError(error: unknown): SendVerdict {
  const e = (error ?? {}) as TelegramLikeError;
  const code = e.response?.error_code ?? e.code;
  const description = e.response?.description ?? e.description ?? e.message ?? String(error);
  const params = e.response?.parameters ?? e.parameters ?? {};
  if (typeof code !== 'number') return { action: 'retry' }; // network failure: no answer from Telegram
  if (code === 429) return { action: 'wait', ms: Math.max(1, params.retry_after ?? 5) * 1000 };
  if (params.migrate_to_chat_id) return { action: 'migrate', toChatId: params.migrate_to_chat_id };
  if (code === 400 && /can't parse entities|can't find end of|unsupported start tag|entity/i.test(description)) return { action: 'plain' };
  // A forum topic deleted or closed (the message carried a message_thread_id): its feeds move to the main thread.
  if (code === 400 && /message thread not found|TOPIC_CLOSED|TOPIC_DELETED|TOPIC_ID_INVALID/i.test(description)) return { action: 'topic' };
  if (code === 403) return { action: 'deactivate', reason: description };
  if (code === 400 && /chat not found|user is deactivated|chat_write_forbidden|have no rights|not enough rights|bot was kicked|PEER_ID_INVALID/i.test(description)) {
    return { action: 'deactivate', reason: description };
  }
  if (code >= 500) return { action: 'retry' };
  return { action: 'drop', reason: `${code}: ${description}` };
}

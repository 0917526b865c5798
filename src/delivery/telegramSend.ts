// One outbox message to Telegram: its options as the Bot API names them, sent as a document or text, or edited into the message it replaces.
import type { OutboxMessage } from '../core/model.js';
import type { OutboxQueries } from '../store/outbox.js';

export interface TelegramApi {
  sendMessage(chatId: number, text: string, extra?: Record<string, unknown>): Promise<unknown>;
  sendDocument(chatId: number, document: { source: Buffer; filename: string }, extra?: Record<string, unknown>): Promise<unknown>;
  editMessageText?(chatId: number, messageId: number, inlineMessageId: undefined, text: string, extra?: Record<string, unknown>): Promise<unknown>;
}

export interface TelegramSendDeps {
  telegram: TelegramApi;
  outbox: Pick<OutboxQueries, 'sentMessageId' | 'withdraw'>;
}

/** What became of a message Telegram took. */
export type Delivered =
  /** Sent or edited: Telegram's id of the message the chat sees (when known). */
  | { kind: 'sent'; messageId: number | undefined }
  /** An edit-only message whose target is gone (deleted, too old, never sent): done, nothing sent. */
  | { kind: 'skipped' };

const messageIdOf = (result: unknown) => {
  const id = (result as { message_id?: unknown } | undefined)?.message_id;
  return typeof id === 'number' ? id : undefined;
};

/** Sends the message (Telegram's errors are thrown for the caller's verdict). */
export async function deliver(deps: TelegramSendDeps, m: OutboxMessage): Promise<Delivered> {
  const extra: Record<string, unknown> = {};
  if (m.replyMarkup) extra.reply_markup = m.replyMarkup;
  if (m.replyTo) extra.reply_parameters = { message_id: m.replyTo, allow_sending_without_reply: true };
  if (m.threadId) extra.message_thread_id = m.threadId;
  if (m.document) {
    if (m.document.caption) extra.caption = m.document.caption;
    const result = await deps.telegram.sendDocument(m.chatId, { source: Buffer.from(m.document.base64, 'base64'), filename: m.document.filename }, extra);
    return { kind: 'sent', messageId: messageIdOf(result) };
  }
  if (m.html) extra.parse_mode = 'HTML';
  if (m.preview) extra.link_preview_options = { url: m.preview.url, prefer_large_media: true, show_above_text: true };
  else if (m.noPreview) extra.link_preview_options = { is_disabled: true };
  const edited = await editInPlace(deps, m, extra);
  if (edited) return edited;
  return { kind: 'sent', messageId: messageIdOf(await deps.telegram.sendMessage(m.chatId, m.html ?? m.plain, extra)) };
}

/**
 * A message that replaces another (a progress note, a story's push): edited into it when it went out (its message id is known),
 * the other taken out of the queue when it has not; undefined to send the message as a new one.
 */
async function editInPlace(deps: TelegramSendDeps, m: OutboxMessage, extra: Record<string, unknown>): Promise<Delivered | undefined> {
  const { telegram } = deps;
  if (!m.replaces || !telegram.editMessageText) return undefined;
  const target = await deps.outbox.sentMessageId(m.replaces);
  if (target === undefined) {
    const withdrawn = await deps.outbox.withdraw(m.replaces);
    return !withdrawn && m.editOnly ? { kind: 'skipped' } : undefined;
  }
  const { reply_parameters: _reply, message_thread_id: _thread, ...editExtra } = extra;
  try {
    await telegram.editMessageText(m.chatId, target, undefined, m.html ?? m.plain, editExtra);
    return { kind: 'sent', messageId: target };
  } catch (error) {
    const description = String((error as { description?: string }).description ?? (error as Error).message);
    if (/message is not modified/i.test(description)) return { kind: 'sent', messageId: target };
    // Deleted or too old: a note's answer goes out anew; a story's edit has nothing left to edit.
    if (/message to edit not found|message can't be edited/i.test(description)) return m.editOnly ? { kind: 'skipped' } : undefined;
    throw error;
  }
}

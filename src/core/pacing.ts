// Telegram's limits as a schedule (now passed in): one global pace, a gap per chat, a per-minute window per group, pauses after 429.

export interface PacingLimits {
  /** Messages per second for the whole bot. */
  rate: number;
  /** Least time between two messages to one chat. */
  chatGapMs: number;
  /** Most messages per minute to one group (negative chat ids). */
  groupPerMinute: number;
}

export interface Pacing {
  /** When the next message may go out at all. */
  globalReadyAt(): number;
  /** When this chat may next receive a message that may not go before `notBefore`; undefined while one is in flight there. */
  chatReadyAt(chatId: number, notBefore: number, now: number): number | undefined;
  /** A message to this chat starts now. */
  begin(chatId: number, now: number): void;
  /** The message in flight to this chat is done. */
  end(chatId: number): void;
  /** Telegram asked to wait (429): nothing more to this chat before `until`. */
  pause(chatId: number, until: number): void;
  isBusy(chatId: number): boolean;
  /** Forgets chats with nothing in flight and no limit still running at `now` (memory stays bounded by recent chats). */
  forget(now: number): void;
}

const isGroup = (chatId: number) => chatId < 0;

export function createPacing(limits: PacingLimits): Pacing {
  const interval = 1000 / limits.rate;
  const chats = new Map<number, { nextAt: number; busy: boolean; recent: number[] }>();
  let nextGlobalAt = 0;
  const state = (chatId: number) => {
    let s = chats.get(chatId);
    if (!s) chats.set(chatId, (s = { nextAt: 0, busy: false, recent: [] }));
    return s;
  };
  return {
    globalReadyAt: () => nextGlobalAt,
    chatReadyAt(chatId, notBefore, now) {
      const s = state(chatId);
      if (s.busy) return undefined;
      let at = Math.max(s.nextAt, notBefore);
      if (isGroup(chatId)) {
        s.recent = s.recent.filter((t) => t > now - 60_000);
        if (s.recent.length >= limits.groupPerMinute) at = Math.max(at, s.recent[0]! + 60_000);
      }
      return at;
    },
    begin(chatId, now) {
      // Slots stay on a fixed grid, so a late timer does not lower the rate; an idle spell earns at most one slot.
      nextGlobalAt = Math.max(nextGlobalAt, now - interval) + interval;
      const s = state(chatId);
      s.busy = true;
      s.nextAt = now + limits.chatGapMs;
      if (isGroup(chatId)) s.recent.push(now);
    },
    end(chatId) {
      state(chatId).busy = false;
    },
    pause(chatId, until) {
      const s = state(chatId);
      s.nextAt = Math.max(s.nextAt, until);
    },
    isBusy: (chatId) => chats.get(chatId)?.busy ?? false,
    forget(now) {
      for (const [chatId, s] of chats) {
        if (!s.busy && s.nextAt <= now && (s.recent.length === 0 || s.recent[s.recent.length - 1]! <= now - 60_000)) chats.delete(chatId);
      }
    },
  };
}

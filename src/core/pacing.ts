// Telegram's limits as a schedule (now passed in): a global pace in small bursts, a gap per chat, a per-minute window per group, pauses after 429.

export interface PacingLimits {
  /** Messages per second for the whole bot. */
  rate: number;
  /** Least time between two messages to one chat. */
  chatGapMs: number;
  /** Most messages per minute to one group (negative chat ids). */
  groupPerMinute: number;
}

export interface Pacing {
  /**
   * When the next message may go out at all. Messages go in small bursts (a quarter second's share of the rate, at most, at a
   * slot of a fixed grid): a burst costs one wake-up where single messages cost one each, which is most of what a message costs
   * the process. And never more than Telegram's 30 in any second as Telegram counts them (the rate, when set above it): a
   * second is counted from when Telegram answered, so a burst that arrived late (a slow network, a busy moment) cannot meet the
   * next one in Telegram's window. An `urgent` message (an answer to a person) waits for that limit only, not for a burst.
   */
  globalReadyAt(urgent?: boolean): number;
  /** When this chat may next receive a message that may not go before `notBefore`; undefined while one is in flight there. */
  chatReadyAt(chatId: number, notBefore: number, now: number): number | undefined;
  /** A message to this chat starts now. */
  begin(chatId: number, now: number): void;
  /** The message in flight to this chat is done (answered or failed) at `now`. */
  end(chatId: number, now: number): void;
  /** Telegram asked to wait (429): nothing more to this chat before `until`. */
  pause(chatId: number, until: number): void;
  isBusy(chatId: number): boolean;
  /** Forgets chats with nothing in flight and no limit still running at `now` (memory stays bounded by recent chats). */
  forget(now: number): void;
}

const isGroup = (chatId: number) => chatId < 0;

/** Telegram's own limit for a bot's messages in any second (a rate set above it, for paid broadcasts, is taken as the limit). */
const TELEGRAM_PER_SECOND = 30;

export function createPacing(limits: PacingLimits): Pacing {
  const burst = Math.max(1, Math.floor(limits.rate / 4));
  const slotMs = (1000 * burst) / limits.rate;
  const perSecond = Math.max(TELEGRAM_PER_SECOND, Math.floor(limits.rate));
  const chats = new Map<number, { nextAt: number; busy: boolean; recent: number[] }>();
  let slotAt = -Infinity;
  let usedInSlot = 0;
  /** Messages on their way, and when the last ones were answered (oldest first; no more than `perSecond` kept). */
  let inFlight = 0;
  const answeredAt: number[] = [];
  const state = (chatId: number) => {
    let s = chats.get(chatId);
    if (!s) chats.set(chatId, (s = { nextAt: 0, busy: false, recent: [] }));
    return s;
  };
  return {
    globalReadyAt(urgent = false) {
      const slotFree = urgent || usedInSlot < burst ? slotAt : slotAt + slotMs;
      // The next may go once so many answers have left the last second that fewer than `perSecond` remain in it with those in flight.
      const mustLeave = inFlight + answeredAt.length - perSecond;
      if (mustLeave < 0) return slotFree;
      return mustLeave < answeredAt.length ? Math.max(slotFree, answeredAt[mustLeave]! + 1000) : Infinity;
    },
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
      if (now >= slotAt + 2 * slotMs) {
        slotAt = now;
        usedInSlot = 0;
      } else if (now >= slotAt + slotMs) {
        slotAt += slotMs;
        usedInSlot = Math.max(0, usedInSlot - burst); // an answer sent past a full burst is taken from the next one: the rate holds
      }
      usedInSlot++;
      inFlight++;
      const s = state(chatId);
      s.busy = true;
      s.nextAt = now + limits.chatGapMs;
      if (isGroup(chatId)) s.recent.push(now);
    },
    end(chatId, now) {
      state(chatId).busy = false;
      inFlight--;
      answeredAt.push(now);
      if (answeredAt.length > perSecond) answeredAt.shift();
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

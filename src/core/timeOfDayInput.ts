// Times of day as people type them: 08:30, 8:30, 8.30, 0830, 9点, 9点半, 晚上9点, 下午3点15分, 21点, 9pm, 9:30 am; HH:MM back, or why not.

export type TimeOfDay = { ok: true; time: string } | { ok: false; reason: 'not-a-time' | 'out-of-range' };

const pad = (n: number) => String(n).padStart(2, '0');

/** Chinese parts of the day that put an hour after noon (晚上9点 is 21:00; 中午12点 stays 12:00; 凌晨 and 早上 stay as they are). */
const AFTERNOON = /^(下午|晚上|傍晚|晚|夜里|夜晚)/;
const MORNING = /^(凌晨|早上|早晨|上午|清晨|早|中午|午夜)/;

export function timeOfDayFrom(input: string): TimeOfDay {
  let text = input.trim().replace(/\s+/g, '').replace(/：/g, ':').replace(/[．。]/g, '.');
  if (!text) return { ok: false, reason: 'not-a-time' };
  const afternoon = AFTERNOON.test(text);
  text = text.replace(AFTERNOON, '').replace(MORNING, '');
  let h: number;
  let m = 0;
  let match: RegExpExecArray | null;
  if ((match = /^(\d{1,2})[:.](\d{1,2})$/.exec(text)) || (match = /^(\d{2})(\d{2})$/.exec(text))) {
    h = Number(match[1]);
    m = Number(match[2]);
  } else if ((match = /^(\d{1,2})(?:点|時|时)(?:(半)|(\d{1,2})分?|整)?$/.exec(text))) {
    h = Number(match[1]);
    m = match[2] ? 30 : match[3] ? Number(match[3]) : 0;
  } else if ((match = /^(\d{1,2})(?::(\d{2}))?(am|pm)$/i.exec(text))) {
    h = Number(match[1]);
    m = Number(match[2] ?? 0);
    if (h < 1 || h > 12) return { ok: false, reason: 'out-of-range' };
    h = (h % 12) + (match[3]!.toLowerCase() === 'pm' ? 12 : 0);
  } else return { ok: false, reason: 'not-a-time' };
  if (afternoon && h >= 1 && h < 12) h += 12;
  if (h > 23 || m > 59) return { ok: false, reason: 'out-of-range' };
  return { ok: true, time: `${pad(h)}:${pad(m)}` };
}

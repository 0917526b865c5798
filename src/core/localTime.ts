// Wall-clock time in a chat's time zone: its calendar day, its HH:MM, the start of its next day.

/** Formatters are costly to build and the same for every chat of a zone: one per (kind, zone). */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(kind: 'day' | 'clock' | 'parts' | 'offset', timeZone: string): Intl.DateTimeFormat {
  const key = `${kind}|${timeZone}`;
  let f = formatters.get(key);
  if (!f) {
    f =
      kind === 'day'
        ? new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
        : kind === 'clock'
          ? new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
          : kind === 'offset'
            ? new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
            : new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(key, f);
  }
  return f;
}

/** The local calendar day of `now` in `timeZone`, as YYYY-MM-DD. */
export function localDay(now: number, timeZone: string): string {
  return formatter('day', timeZone).format(now);
}

/** The local time of day of `now` in `timeZone`, as HH:MM (24 h). */
export function localClock(now: number, timeZone: string): string {
  const parts = formatter('clock', timeZone).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return `${get('hour')}:${get('minute')}`;
}

/** "8:05" → "08:05", for comparing times of day as strings. */
export function padClock(time: string): string {
  const [h, m] = time.split(':');
  return `${(h ?? '0').padStart(2, '0')}:${(m ?? '0').padStart(2, '0')}`;
}

/** The first instant of the next local day (found by stepping, so DST and odd offsets hold). */
export function nextLocalMidnight(now: number, timeZone: string): number {
  const today = localDay(now, timeZone);
  let t = now;
  for (const step of [3_600_000, 60_000, 1000]) {
    while (localDay(t + step, timeZone) === today) t += step;
  }
  return t + 1000;
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at `instant`, in ms (east positive). */
function offsetAt(instant: number, timeZone: string): number {
  const parts = formatter('parts', timeZone).formatToParts(instant);
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const local = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return local - Math.floor(instant / 1000) * 1000;
}

/**
 * The first instant after `now` at which the clock in `timeZone` shows `clock` (HH:MM). A time DST skips goes out after the gap
 * (02:30 on a night that jumps from 02:00 to 03:00 is 03:30), east or west of UTC; a time DST repeats goes out at its first showing.
 */
export function nextLocalTime(now: number, clock: string, timeZone: string): number {
  const wanted = padClock(clock);
  const [h, m] = wanted.split(':').map(Number) as [number, number];
  const [y, mo, d] = localDay(now, timeZone).split('-').map(Number) as [number, number, number];
  for (let day = 0; day < 3; day++) {
    const wall = Date.UTC(y, mo - 1, d + day, h, m);
    // The wall time read with the zone's offsets half a day before and after it (either side of any change that night): one
    // shows it, both when the night repeats it, neither when it skips it.
    const a = wall - offsetAt(wall - 12 * 3_600_000, timeZone);
    const b = wall - offsetAt(wall + 12 * 3_600_000, timeZone);
    const shown = [a, b].filter((t) => localClock(t, timeZone) === wanted);
    const at = shown.length > 0 ? Math.min(...shown) : Math.max(a, b);
    if (at > now) return at;
  }
  return now + 24 * 3_600_000;
}

/** UTC offset of a time zone at an instant, in minutes. */
export function offsetMinutes(timeZone: string, at: number): number {
  const parts = formatter('offset', timeZone).formatToParts(at);
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
}

// Dates as feeds write them (RFC 822 and its variants, W3C/ISO 8601, asctime) → epoch ms; what cannot be read is no date, never a throw.
import { offsetMinutes } from './localTime.js';

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS = new Set(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

/** Zone names seen in feeds, in hours east of UTC (RFC 822's, the US ones without D/S, and central European ones). */
const ZONES: Record<string, number> = {
  z: 0, ut: 0, utc: 0, gmt: 0, wet: 0, bst: 1, cet: 1, met: 1, cest: 2, mest: 2, eet: 2, eest: 3, msk: 3,
  adt: -3, ast: -4, at: -4, edt: -4, est: -5, et: -5, cdt: -5, cst: -6, ct: -6, mdt: -6, mst: -7, mt: -7, pdt: -7, pst: -8, pt: -8,
  akdt: -8, akst: -9, hst: -10, jst: 9, kst: 9, hkt: 8, sgt: 8, ist: 5.5, aest: 10, aedt: 11, nzst: 12, nzdt: 13,
};

/** RFC 822 military zones: A–I are −1…−9, K–M −10…−12, N–Y +1…+12 (J is not a zone). */
function militaryZone(letter: string): number | undefined {
  const c = letter.charCodeAt(0);
  if (c >= 97 && c <= 105) return -(c - 96); // a–i
  if (c >= 107 && c <= 109) return -(c - 97); // k–m
  if (c >= 110 && c <= 121) return c - 109; // n–y
  return undefined;
}

/** How to read what a date leaves open: the zone of a date without one, and zone names meant otherwise than RFC 822's. */
export interface DateReading {
  /** Minutes east of UTC for dates without a zone (default 0: UTC). */
  defaultOffsetMinutes?: number;
  /** Zone names read differently, in hours east of UTC. */
  zoneHours?: Record<string, number>;
}

/**
 * Chinese-language feeds: every place that writes Chinese as its main language keeps UTC+8 (China, Taiwan, Hong Kong, Macau,
 * Singapore), so a time without a zone is read at +08:00, and `CST` is China Standard Time (Java's `Date.toString()` there writes
 * `Mon Jul 08 23:56:58 CST 2024`), not US Central.
 */
export const CHINESE_FEED_DATES: DateReading = { defaultOffsetMinutes: 480, zoneHours: { cst: 8 } };

/** How to read a feed's dates: as Chinese ones when its declared language is Chinese, or, undeclared, its title is Han without kana or hangul. */
export function dateReadingFor(language: string | undefined, title: string): DateReading {
  const lang = language?.trim().toLowerCase();
  const chinese = lang ? lang.startsWith('zh') : /\p{Script=Han}/u.test(title) && !/[\u3040-\u30ff\uac00-\ud7af]/.test(title);
  return chinese ? CHINESE_FEED_DATES : {};
}

/** A zone token → minutes east of UTC at that wall time; undefined when it is not a zone at all. */
function zoneOffset(token: string, wallUtc: number, reading: DateReading): number | undefined {
  const t = token.toLowerCase();
  const own = reading.zoneHours?.[t];
  if (own !== undefined) return own * 60;
  const numeric = /^(?:gmt|utc|ut)?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(t);
  if (numeric) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3] ?? 0);
    return Number(numeric[2]) > 14 || Number(numeric[3] ?? 0) > 59 ? undefined : (numeric[1] === '-' ? -1 : 1) * minutes;
  }
  if (t in ZONES) return ZONES[t]! * 60;
  if (t.length === 1) {
    const h = militaryZone(t);
    return h === undefined ? undefined : h * 60;
  }
  if (t.includes('/')) {
    // An IANA name (Asia/Shanghai, Etc/GMT+8: POSIX signs, eight hours behind UTC): its offset at that moment.
    try {
      const first = offsetMinutes(token, wallUtc);
      return offsetMinutes(token, wallUtc - first * 60_000);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Date.UTC for any year from 1 on (Date.UTC reads years 0–99 as 1900–1999). */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

function daysIn(year: number, month: number): number {
  return new Date(utc(year, month + 1, 0)).getUTCDate();
}

/** Two-digit years as the mature parsers read them: 90–99 are the 1990s, 00–89 this century. */
function fullYear(text: string): number {
  const y = Number(text);
  return text.length <= 2 ? y + (y < 90 ? 2000 : 1900) : y;
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
  /** A zone token; none means UTC. */
  zone?: string | undefined;
}

/** Checks every field's range and applies the zone: a date that cannot exist is no date. */
function toEpoch(p: Parts, reading: DateReading): number | undefined {
  const { year, month, day, hour = 0, minute = 0 } = p;
  const second = Math.min(p.second ?? 0, 59); // a leap second reads as :59
  // Years before 1000 are kept as written (an archive's `0999-…`), not dropped.
  if (!(year >= 1 && year <= 9999) || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 24 || minute > 59 || second > 60 || (hour === 24 && (minute > 0 || second > 0))) return undefined;
  const wall = utc(year, month, day, hour, minute, second);
  if (!p.zone) return wall - (reading.defaultOffsetMinutes ?? 0) * 60_000;
  const offset = zoneOffset(p.zone, wall, reading);
  // An unknown zone name counts as UTC (as RFC 1123 says of unknown military zones); a broken numeric offset is no date.
  if (offset === undefined) return /^[a-z]{2,5}$/i.test(p.zone) ? wall : undefined;
  return wall - offset * 60_000;
}

const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?$/;

/**
 * W3C-DTF / ISO 8601 and its everyday relatives: `2003-12-31T10:14:55.1Z`, `2003-12`, `2003`, `2004-07-08 23:56:58 -00:20`,
 * `20040708T235658Z`, Google's `2003-012-31`, Perforce's `2006/09/15 08:19:53 EDT`.
 */
function parseIso(s: string): Parts | undefined {
  const m =
    /^(\d{4})(?:([-/])(\d{1,3})(?:\2(\d{1,2}))?)?(?:(?:T|\s+)(\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?))?\s*(Z|[+-]\d{2}(?::?\d{2})?|[A-Za-z]{1,5}|[A-Za-z]+\/[A-Za-z_+\-/\d]+)?$/i.exec(s) ??
    /^(\d{4})()(\d{2})(\d{2})(?:T(\d{2}:?\d{2}(?::?\d{2})?))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(s);
  if (!m || (m[6] && !m[5])) return undefined; // a zone needs a time (`2013-01-27-01` is no date)
  const parts: Parts = { year: Number(m[1]), month: Number(m[3] ?? 1), day: Number(m[4] ?? 1), zone: m[6] };
  if (m[5]) {
    const clock = m[5].includes(':') ? m[5] : `${m[5].slice(0, 2)}:${m[5].slice(2, 4)}${m[5].length > 4 ? `:${m[5].slice(4)}` : ''}`;
    const t = TIME.exec(clock);
    if (!t) return undefined;
    Object.assign(parts, { hour: Number(t[1]), minute: Number(t[2]), second: Number(t[3] ?? 0) });
  }
  return parts;
}

/**
 * RFC 822 / 1123 and the ways feeds bend it: day names or not, commas anywhere, full month names, month and day swapped,
 * two-digit years, no seconds, no time, zones by name, offset, `GMT+hh:mm`, `Etc/…`; and asctime (`Sun Jan  4 16:29:06 2004`).
 */
function parseRfc822(s: string): Parts | undefined {
  const tokens = s.toLowerCase().replace(/,/g, ' ').split(/\s+/).filter(Boolean);
  if (tokens.length && DAYS.has(tokens[0]!.slice(0, 3)) && !/\d/.test(tokens[0]!)) tokens.shift();
  if (tokens.length < 3) return undefined;
  const monthOf = (t: string) => (/^[a-z]{3,9}\.?$/.test(t) ? MONTHS[t.slice(0, 3)] : undefined);
  let day: string;
  let month: number | undefined;
  let rest: string[];
  if (/^\d{1,2}$/.test(tokens[0]!) && (month = monthOf(tokens[1]!))) {
    day = tokens[0]!;
    rest = tokens.slice(2);
  } else if ((month = monthOf(tokens[0]!)) && /^\d{1,2}$/.test(tokens[1]!)) {
    day = tokens[1]!;
    rest = tokens.slice(2);
  } else return undefined;
  // asctime puts the year last: `Jan 4 16:29:06 2004`, `Jul 15 01:16:00 +0000 2012`.
  const yearAt = rest.findIndex((t) => /^\d{2}$|^\d{4}$/.test(t));
  if (yearAt < 0) return undefined;
  const year = rest[yearAt]!;
  rest = [...rest.slice(0, yearAt), ...rest.slice(yearAt + 1)];
  const parts: Parts = { year: fullYear(year), month, day: Number(day) };
  let meridiem: string | undefined;
  for (const token of rest) {
    const t = TIME.exec(token);
    if (t && parts.hour === undefined) Object.assign(parts, { hour: Number(t[1]), minute: Number(t[2]), second: Number(t[3] ?? 0) });
    else if ((token === 'am' || token === 'pm') && parts.hour !== undefined && meridiem === undefined) meridiem = token;
    else if (!t && parts.zone === undefined) parts.zone = token.startsWith('etc/gmt') && !/[+-]/.test(token) ? 'gmt' : token;
    else if (!(parts.zone && /^[+-]\d{4}$/.test(parts.zone) && /^[a-z]{1,5}$/.test(token))) return undefined; // `+0100 GMT`: the offset counts
  }
  if (parts.zone !== undefined && parts.hour === undefined) return undefined;
  if (meridiem && parts.hour !== undefined) {
    if (parts.hour < 1 || parts.hour > 12) return undefined;
    parts.hour = (parts.hour % 12) + (meridiem === 'pm' ? 12 : 0);
  }
  return parts;
}

/**
 * ISO 8601's reduced forms with a two-digit year (read in this century, as feedparser does): `031231` and `03-12-31` (a day),
 * `-0312` and `-03-12` (a month). Ordinal dates (`03335`) are left out: five digits are more often garbage (`22013`) than a day.
 */
function parseReducedIso(s: string): Parts | undefined {
  const day = /^(\d{2})-?(\d{2})-?(\d{2})$/.exec(s);
  if (day && (s.length === 6 || s.length === 8)) return { year: 2000 + Number(day[1]), month: Number(day[2]), day: Number(day[3]) };
  const month = /^-(\d{2})-?(\d{2})$/.exec(s);
  if (month) return { year: 2000 + Number(month[1]), month: Number(month[2]), day: 1 };
  return undefined;
}

/** Korean blogs' dates, in KST when they name no zone: `2004년 05월 28일 01:31:15`, `2004-05-25 오후 11:23:17` (오전 am, 오후 pm). */
function parseKorean(s: string): Parts | undefined {
  const written = /^(\d{4})년\s*(\d{1,2})월\s*(\d{1,2})일\s*(?:(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (written) {
    const parts: Parts = { year: Number(written[1]), month: Number(written[2]), day: Number(written[3]), zone: '+09:00' };
    if (written[4]) Object.assign(parts, { hour: Number(written[4]), minute: Number(written[5]), second: Number(written[6] ?? 0) });
    return parts;
  }
  const meridiem = /^(\d{4})-(\d{1,2})-(\d{1,2})\s+(오전|오후)\s+(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (!meridiem) return undefined;
  const hour = Number(meridiem[5]);
  if (hour < 1 || hour > 12) return undefined;
  return {
    year: Number(meridiem[1]),
    month: Number(meridiem[2]),
    day: Number(meridiem[3]),
    hour: (hour % 12) + (meridiem[4] === '오후' ? 12 : 0),
    minute: Number(meridiem[6]),
    second: Number(meridiem[7] ?? 0),
    zone: '+09:00',
  };
}

/** Greek and Hungarian month and day names (as feeds in those languages write them) → the English ones RFC 822 reading knows. */
const NAMES: Record<string, string> = {
  ιαν: 'jan', φεβ: 'feb', μάώ: 'mar', μαώ: 'mar', μάρ: 'mar', μαρ: 'mar', απρ: 'apr', μάι: 'may', μαϊ: 'may', μαι: 'may', ιούν: 'jun', ιουν: 'jun', ιον: 'jun',
  ιούλ: 'jul', ιουλ: 'jul', ιολ: 'jul', αύγ: 'aug', αυγ: 'aug', σεπ: 'sep', οκτ: 'oct', νοέ: 'nov', νοε: 'nov', δεκ: 'dec',
  κυρ: 'sun', δευ: 'mon', τρι: 'tue', τετ: 'wed', πεμ: 'thu', πέμ: 'thu', παρ: 'fri', σαβ: 'sat', σάβ: 'sat',
  január: 'jan', február: 'feb', februári: 'feb', március: 'mar', április: 'apr', május: 'may', máujus: 'may', június: 'jun', július: 'jul',
  augusztus: 'aug', szeptember: 'sep', október: 'oct', november: 'nov', december: 'dec',
  hétfő: 'mon', kedd: 'tue', szerda: 'wed', csütörtök: 'thu', péntek: 'fri', szombat: 'sat', vasárnap: 'sun',
};
const MONTH_NUMBERS: Record<string, string> = { jan: '01', feb: '02', mar: '03', apr: '04', may: '05', jun: '06', jul: '07', aug: '08', sep: '09', oct: '10', nov: '11', dec: '12' };

/** Greek or Hungarian names put in English; Hungarian's ISO-like `2004-július-13T9:15-05:00` given its month's number. */
function inEnglish(s: string): string {
  if (!/[^\x00-\x7f]/.test(s)) return s;
  const named = s.replace(/[\p{L}]+\.?/gu, (word) => NAMES[word.replace(/\.$/, '').toLowerCase()] ?? word);
  return named.replace(/^(\d{4})-([a-z]{3})-(\d{1,2})(?=T|\s|$)/, (whole, year: string, month: string, day: string) =>
    MONTH_NUMBERS[month] ? `${year}-${MONTH_NUMBERS[month]}-${day.padStart(2, '0')}` : whole,
  );
}

/** CJK calendar writing: `2024年7月8日 23:56`, `2024年07月08日`. */
function parseCjk(s: string): Parts | undefined {
  const m = /^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(s);
  if (!m) return undefined;
  const parts: Parts = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  const t = m[4] ? TIME.exec(m[4]) : undefined;
  if (t) Object.assign(parts, { hour: Number(t[1]), minute: Number(t[2]), second: Number(t[3] ?? 0) });
  return parts;
}

/**
 * A feed's date → epoch ms, or undefined when it cannot be read. A date without a zone is read as UTC unless `reading` says otherwise
 * (see CHINESE_FEED_DATES), so a feed's dates never move with the server's zone. Garbage (`22013`, `Sun, 16 zzz 2012`) is no date
 * rather than a wrong one.
 */
export function parseFeedDate(input: string | undefined, reading: DateReading = {}): number | undefined {
  // A trailing comment names the zone already given: `Tue, 10 Jun 2003 04:00:00 +0000 (UTC)`.
  const s = input?.replace(/\s+/g, ' ').trim().replace(/\s*\([^()]{0,40}\)$/, '');
  if (!s || s.length > 100) return undefined;
  const english = inEnglish(s);
  // Perforce and others put a day name before an ISO date: `Fri, 2006/09/15 08:19:53 EDT`.
  const iso = english.replace(/^[A-Za-z]{3,9},?\s+(?=\d{4}[-/])/, '');
  const parts = parseIso(iso) ?? parseRfc822(english) ?? parseCjk(s) ?? parseKorean(s) ?? parseReducedIso(s);
  return parts ? toEpoch(parts, reading) : undefined;
}

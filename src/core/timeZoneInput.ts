// Time zones as people type them: IANA names, common cities (in Chinese or English), and UTC±N.
import { isTimeZone, localClock, localDay } from './localTime.js';

const CITIES: Record<string, string> = {
  北京: 'Asia/Shanghai', 上海: 'Asia/Shanghai', 广州: 'Asia/Shanghai', 深圳: 'Asia/Shanghai', 杭州: 'Asia/Shanghai', 成都: 'Asia/Shanghai',
  重庆: 'Asia/Shanghai', 天津: 'Asia/Shanghai', 南京: 'Asia/Shanghai', 武汉: 'Asia/Shanghai', 西安: 'Asia/Shanghai', 中国: 'Asia/Shanghai',
  香港: 'Asia/Hong_Kong', 澳门: 'Asia/Macau', 台北: 'Asia/Taipei', 台湾: 'Asia/Taipei', 东京: 'Asia/Tokyo', 日本: 'Asia/Tokyo',
  首尔: 'Asia/Seoul', 新加坡: 'Asia/Singapore', 吉隆坡: 'Asia/Kuala_Lumpur', 曼谷: 'Asia/Bangkok', 悉尼: 'Australia/Sydney',
  墨尔本: 'Australia/Melbourne', 伦敦: 'Europe/London', 巴黎: 'Europe/Paris', 柏林: 'Europe/Berlin', 莫斯科: 'Europe/Moscow',
  纽约: 'America/New_York', 华盛顿: 'America/New_York', 多伦多: 'America/Toronto', 芝加哥: 'America/Chicago',
  洛杉矶: 'America/Los_Angeles', 旧金山: 'America/Los_Angeles', 西雅图: 'America/Los_Angeles', 温哥华: 'America/Vancouver',
  beijing: 'Asia/Shanghai', shanghai: 'Asia/Shanghai', 'hong kong': 'Asia/Hong_Kong', hongkong: 'Asia/Hong_Kong', taipei: 'Asia/Taipei',
  tokyo: 'Asia/Tokyo', seoul: 'Asia/Seoul', singapore: 'Asia/Singapore', sydney: 'Australia/Sydney', london: 'Europe/London',
  paris: 'Europe/Paris', berlin: 'Europe/Berlin', moscow: 'Europe/Moscow', 'new york': 'America/New_York', newyork: 'America/New_York',
  toronto: 'America/Toronto', chicago: 'America/Chicago', 'los angeles': 'America/Los_Angeles', 'san francisco': 'America/Los_Angeles',
  seattle: 'America/Los_Angeles', vancouver: 'America/Vancouver',
};

/** The IANA zone a person meant, or undefined. `UTC+8` is a fixed offset (Etc/GMT-8: the sign of Etc names is reversed). */
export function timeZoneFrom(input: string): string | undefined {
  const text = input.trim();
  const city = CITIES[text] ?? CITIES[text.toLowerCase()];
  if (city) return city;
  const offset = /^(?:UTC|GMT)\s*([+-])\s*(\d{1,2})(?::?00)?$/i.exec(text);
  if (offset) {
    const hours = Number(offset[2]);
    if (hours === 0) return 'UTC';
    if (hours > 14) return undefined;
    return `Etc/GMT${offset[1] === '+' ? '-' : '+'}${hours}`;
  }
  if (/^(utc|gmt|z)$/i.test(text)) return 'UTC';
  if (!isTimeZone(text)) return undefined;
  return new Intl.DateTimeFormat('en-US', { timeZone: text }).resolvedOptions().timeZone;
}

/**
 * A zone as a reader reads it: IANA's fixed offsets (`Etc/GMT-8`, whose sign is reversed) as `UTC+8`, `Etc/UTC` as `UTC`, and
 * every other name as it is (`Asia/Shanghai`).
 */
export function zoneLabel(timeZone: string): string {
  const fixed = /^Etc\/GMT([+-])(\d{1,2})$/.exec(timeZone);
  if (fixed) return `UTC${fixed[1] === '+' ? '-' : '+'}${Number(fixed[2])}`;
  if (/^(Etc\/)?(UTC|GMT|Universal|Zulu|UCT)(0)?$/.test(timeZone)) return 'UTC';
  return timeZone;
}

/** An instant as a reader of that zone reads it: `2026-12-03 10:30 (UTC+8)`. */
export function localMoment(at: number, timeZone: string): string {
  return `${localDay(at, timeZone)} ${localClock(at, timeZone)} (${zoneLabel(timeZone)})`;
}

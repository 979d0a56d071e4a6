/**
 * Timestamps as Step Functions reads them in Choice rules and Wait states:
 * Java's ISO-8601 extended offset date-time (`YYYY-MM-DDThh:mm[:ss[.fraction]]`
 * then `Z` or `±hh:mm[:ss]`, letters in either case), with up to nanosecond
 * precision, compared exactly.
 */

export interface Timestamp {
  /** Whole seconds since the epoch. */
  seconds: number;
  /** Nanoseconds within the second. */
  nanos: number;
}

const ISO_OFFSET_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):(\d{2})(?::(\d{2}))?)$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Parses a date-time with an offset; undefined when it is not one. */
export function parseTimestamp(text: string): Timestamp | undefined {
  const m = ISO_OFFSET_DATE_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = m.slice(1, 6).map(Number);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offset = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    const os = m[12] === undefined ? 0 : Number(m[12]);
    if (oh > 18 || om > 59 || os > 59) return undefined;
    offset = (oh * 3600 + om * 60 + os) * (m[9] === '-' ? -1 : 1);
  }
  const seconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - offset;
  const nanos = m[7] ? Number(m[7].padEnd(9, '0')) : 0;
  return { seconds, nanos };
}

export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  return a.seconds !== b.seconds ? a.seconds - b.seconds : a.nanos - b.nanos;
}

/** Milliseconds since the epoch (sub-millisecond precision truncated), for timers. */
export function timestampMillis(t: Timestamp): number {
  return t.seconds * 1000 + Math.floor(t.nanos / 1e6);
}

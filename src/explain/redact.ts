/**
 * Redaction of personal data and secrets before a failure context leaves the
 * machine. Values become typed placeholders (`<EMAIL_1>`), the same value
 * always the same placeholder, so the model still sees that the address in the
 * input is the one in the error message, and the JSON keeps its shape. JSON
 * held inside strings (a Lambda cause, a task's parameters) is redacted as
 * JSON, not as text.
 */

export type RedactionKind =
  | 'EMAIL' | 'PHONE' | 'CARD' | 'ADDRESS' | 'POSTCODE' | 'NAME' | 'TASK_TOKEN'
  | 'AWS_ACCESS_KEY' | 'AWS_SECRET' | 'SECRET' | 'JWT' | 'IP' | 'REDACTED';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Keys (compared lower-case, without `_`, `-` and a trailing `.$`) whose string values are personal whatever they look like. */
const KEY_KINDS: Record<string, RedactionKind> = {
  name: 'NAME', firstname: 'NAME', lastname: 'NAME', fullname: 'NAME', givenname: 'NAME', familyname: 'NAME',
  middlename: 'NAME', surname: 'NAME', customer: 'NAME', customername: 'NAME', recipient: 'NAME', recipientname: 'NAME',
  contactname: 'NAME', contact: 'NAME', sender: 'NAME', sendername: 'NAME', username: 'NAME', displayname: 'NAME',
  cardholder: 'NAME', cardholdername: 'NAME', driver: 'NAME', drivername: 'NAME', courier: 'NAME', couriername: 'NAME',
  buyer: 'NAME', shipto: 'NAME', billto: 'NAME', addressee: 'NAME',
  email: 'EMAIL', emailaddress: 'EMAIL', mail: 'EMAIL',
  phone: 'PHONE', phonenumber: 'PHONE', mobile: 'PHONE', mobilenumber: 'PHONE', tel: 'PHONE', telephone: 'PHONE', msisdn: 'PHONE',
  address: 'ADDRESS', street: 'ADDRESS', streetaddress: 'ADDRESS', line1: 'ADDRESS', line2: 'ADDRESS', line3: 'ADDRESS',
  addressline1: 'ADDRESS', addressline2: 'ADDRESS', address1: 'ADDRESS', address2: 'ADDRESS', housenumber: 'ADDRESS',
  postcode: 'POSTCODE', postalcode: 'POSTCODE', zip: 'POSTCODE', zipcode: 'POSTCODE',
  cardnumber: 'CARD', pan: 'CARD', creditcard: 'CARD', cvv: 'SECRET', cvc: 'SECRET', expiry: 'SECRET', expirydate: 'SECRET', cardexpiry: 'SECRET',
  dateofbirth: 'REDACTED', dob: 'REDACTED', birthdate: 'REDACTED', ssn: 'REDACTED', nationalid: 'REDACTED', passportnumber: 'REDACTED', iban: 'REDACTED',
  tasktoken: 'TASK_TOKEN',
  password: 'SECRET', passwd: 'SECRET', secret: 'SECRET', apikey: 'SECRET', accesstoken: 'SECRET', refreshtoken: 'SECRET',
  idtoken: 'SECRET', authorization: 'SECRET', clientsecret: 'SECRET', sessiontoken: 'SECRET', awssessiontoken: 'SECRET',
  secretaccesskey: 'AWS_SECRET', awssecretaccesskey: 'AWS_SECRET', accesskeyid: 'AWS_ACCESS_KEY', awsaccesskeyid: 'AWS_ACCESS_KEY',
  ip: 'IP', ipaddress: 'IP', sourceip: 'IP', clientip: 'IP',
};

interface Pattern {
  kind: RedactionKind;
  regex: RegExp;
  /** Checks a match further (Luhn, digit counts); the matched text is replaced when true. */
  accept?: (match: string) => boolean;
  /** The capture group holding the value, when the pattern also matches context around it. */
  group?: number;
}

const IPV4_OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

/** Order matters: specific shapes before the greedy ones (cards before phones, IPs before phones). */
const PATTERNS: Pattern[] = [
  { kind: 'JWT', regex: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}/g },
  { kind: 'AWS_ACCESS_KEY', regex: /\b(?:AKIA|ASIA|AROA|AIDA|ABIA|ACCA)[A-Z0-9]{16}\b/g },
  {
    kind: 'AWS_SECRET',
    regex: /((?:aws_?)?secret_?access_?key["'\\]*\s*[:=]\s*["'\\]*)([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi,
    group: 2,
  },
  // Step Functions task tokens are long opaque base64 strings; nothing else in a history is that long without a break.
  { kind: 'TASK_TOKEN', regex: /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{100,}={0,2}(?![A-Za-z0-9+/=_-])/g, accept: (match) => /[A-Z]/.test(match) && /[a-z]/.test(match) && /\d/.test(match) },
  { kind: 'EMAIL', regex: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g },
  { kind: 'IP', regex: new RegExp(`(?<![\\d.])(?:${IPV4_OCTET}\\.){3}${IPV4_OCTET}(?![\\d.])`, 'g') },
  { kind: 'IP', regex: /(?<![:\w])(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}(?![:\w])|(?<![:\w])(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4}(?![:\w])/gi },
  { kind: 'CARD', regex: /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g, accept: (match) => luhnValid(match.replace(/\D/g, '')) },
  { kind: 'POSTCODE', regex: /(?<![\d-])\d{5}-\d{4}(?![\d-])/g },
  { kind: 'PHONE', regex: /(?<![\w.+-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?\d{2,5}(?:[\s.-]?\d{2,5}){1,4}(?![\w.-])/g, accept: looksLikePhone },
  {
    kind: 'ADDRESS',
    regex: /\b\d{1,5}[A-Za-z]?,? (?:[A-Z][A-Za-z'-]+ ){1,4}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Row|Court|Ct|Place|Pl|Terrace|Close|Crescent|Square|Sq|Parkway|Highway|Hwy|Strasse|Straße|Gardens|Hill|Walk|Mews)\b\.?/g,
  },
  // UK postcodes, Canadian postal codes (US ZIP+4 comes before phones, which it resembles).
  { kind: 'POSTCODE', regex: /\b(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})\b/g },
  { kind: 'POSTCODE', regex: /\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d\b/g },
];

/** `"firstName":"Ada"` written inside text (a cause quoting its input), escaped or not. */
const QUOTED_PAIR = /(\\*")([A-Za-z_$.-]+)\1(\s*:\s*)\1((?:(?!\\*").)*)\1/g;

export function luhnValid(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19 || /^(\d)\1+$/.test(digits)) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function looksLikePhone(match: string): boolean {
  const digits = match.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return false;
  if (/^\d{4}-\d{2}-\d{2}/.test(match) || /^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.test(match)) return false; // dates
  const separated = /[\s.()-]/.test(match);
  if (match.startsWith('+') || match.startsWith('(')) return true;
  if (!separated) return digits.startsWith('0') && digits.length >= 10 && digits.length <= 11;
  return digits.length >= 9 || (digits.startsWith('0') && digits.length >= 7);
}

function normaliseKey(key: string): string {
  return key.replace(/\.\$$/, '').replace(/[_\-\s]/g, '').toLowerCase();
}

/** Paths and expressions are code, not data: `$.customer.name` must stay as written. */
function isExpression(value: string): boolean {
  return value.startsWith('$') || value.startsWith('{%') || /^States\.[A-Za-z]+\(/.test(value);
}

export interface RedactionSummary {
  /** Distinct values replaced, per kind. */
  counts: Partial<Record<RedactionKind, number>>;
  total: number;
}

export class Redactor {
  private readonly byValue = new Map<string, string>();
  private readonly counters = new Map<RedactionKind, number>();
  private readonly keyKinds: Record<string, RedactionKind>;

  private readonly homeDir?: string;

  /** `homeDir` (the user's home folder, which names them in local stack traces) is shown as `~`. */
  constructor(options: { extraKeys?: readonly string[]; homeDir?: string } = {}) {
    this.homeDir = options.homeDir && options.homeDir.length > 1 ? options.homeDir : undefined;
    this.keyKinds = { ...KEY_KINDS };
    for (const key of options.extraKeys ?? []) this.keyKinds[normaliseKey(key)] = 'REDACTED';
  }

  /** Redacts a whole structure: first learns the values under personal keys, then rewrites everything. */
  redact<T>(value: T): T {
    this.learn(value as Json, undefined);
    return this.rewrite(value as Json, undefined) as T;
  }

  /** Redacts free text (a prompt section, an error message). */
  redactText(text: string): string {
    return this.rewriteString(text, undefined);
  }

  summary(): RedactionSummary {
    const counts: RedactionSummary['counts'] = {};
    let total = 0;
    for (const [kind, count] of this.counters) {
      counts[kind] = count;
      total += count;
    }
    return { counts, total };
  }

  private placeholder(kind: RedactionKind, value: string): string {
    const known = this.byValue.get(value);
    if (known) return known;
    const next = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, next);
    const placeholder = `<${kind}_${next}>`;
    this.byValue.set(value, placeholder);
    return placeholder;
  }

  private kindOfKey(key: string | undefined): RedactionKind | undefined {
    return key === undefined ? undefined : this.keyKinds[normaliseKey(key)];
  }

  private learn(value: Json, key: string | undefined): void {
    if (typeof value === 'string') {
      const kind = this.kindOfKey(key);
      if (kind && value.trim() !== '' && !isExpression(value)) this.placeholder(kind, value);
      const embedded = parseEmbedded(value);
      if (embedded !== undefined) this.learn(embedded, undefined);
      else this.learnQuotedPairs(value);
      return;
    }
    if (typeof value === 'number' && this.kindOfKey(key)) {
      this.placeholder(this.kindOfKey(key)!, String(value));
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) this.learn(item, key);
      return;
    }
    if (value && typeof value === 'object') for (const [child, item] of Object.entries(value)) this.learn(item, child);
  }

  private learnQuotedPairs(text: string): void {
    for (const match of text.matchAll(QUOTED_PAIR)) {
      const kind = this.kindOfKey(match[2]);
      if (kind && match[4].trim() !== '' && !isExpression(match[4])) this.placeholder(kind, match[4]);
    }
  }

  private rewrite(value: Json, key: string | undefined): Json {
    if (typeof value === 'string') return this.rewriteString(value, key);
    if (typeof value === 'number') {
      const kind = this.kindOfKey(key);
      if (kind) return this.placeholder(kind, String(value));
      // A card number or phone stored as a JSON number.
      if (Number.isInteger(value) && String(value).length >= 13 && luhnValid(String(value))) return this.placeholder('CARD', String(value));
      return value;
    }
    if (Array.isArray(value)) return value.map((item) => this.rewrite(item, key));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([child, item]) => [child, this.rewrite(item, child)]));
    }
    return value;
  }

  private rewriteString(value: string, key: string | undefined): string {
    const kind = this.kindOfKey(key);
    if (kind && value.trim() !== '' && !isExpression(value)) return this.placeholder(kind, value);
    const embedded = parseEmbedded(value);
    if (embedded !== undefined) return JSON.stringify(this.rewrite(embedded, undefined));
    let text = this.homeDir ? value.split(this.homeDir).join('~') : value;
    for (const pattern of PATTERNS) {
      text = text.replace(pattern.regex, (...args: unknown[]) => {
        const match = args[0] as string;
        const target = pattern.group ? (args[pattern.group] as string) : match;
        if (pattern.accept && !pattern.accept(target)) return match;
        const replaced = this.placeholder(pattern.kind, target);
        return pattern.group ? match.replace(target, replaced) : replaced;
      });
    }
    text = text.replace(QUOTED_PAIR, (match, quote: string, pairKey: string, colon: string, pairValue: string) => {
      const pairKind = this.kindOfKey(pairKey);
      if (!pairKind || pairValue.trim() === '' || isExpression(pairValue) || /^<[A-Z_]+_\d+>$/.test(pairValue)) return match;
      return `${quote}${pairKey}${quote}${colon}${quote}${this.placeholder(pairKind, pairValue)}${quote}`;
    });
    return this.replaceKnownValues(text);
  }

  /** Values learnt under personal keys, wherever else they appear (an error message quoting a name). */
  private replaceKnownValues(text: string): string {
    let result = text;
    const known = [...this.byValue.entries()].filter(([value]) => value.length >= 3).sort((a, b) => b[0].length - a[0].length);
    for (const [value, placeholder] of known) {
      if (!result.includes(value)) continue;
      // Whole words only: a customer called "Ada" must not turn "Canada" into "Can<NAME_1>".
      const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      result = result.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'gu'), placeholder);
    }
    return result;
  }
}

/** A string holding a JSON object or array (a cause, serialised parameters), parsed; else undefined. */
function parseEmbedded(value: string): Json | undefined {
  const trimmed = value.trim();
  if (!(trimmed.startsWith('{') && trimmed.endsWith('}')) && !(trimmed.startsWith('[') && trimmed.endsWith(']'))) return undefined;
  try {
    const parsed = JSON.parse(trimmed) as Json;
    return parsed && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

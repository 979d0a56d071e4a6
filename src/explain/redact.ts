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
  | 'AWS_ACCESS_KEY' | 'AWS_SECRET' | 'SECRET' | 'JWT' | 'IP' | 'REDACTED'
  | 'CPF' | 'CNPJ' | 'RG' | 'BIRTHDATE';

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
  dateofbirth: 'BIRTHDATE', dob: 'BIRTHDATE', birthdate: 'BIRTHDATE', ssn: 'REDACTED', nationalid: 'REDACTED', passportnumber: 'REDACTED', iban: 'REDACTED',
  tasktoken: 'TASK_TOKEN',
  password: 'SECRET', passwd: 'SECRET', secret: 'SECRET', apikey: 'SECRET', accesstoken: 'SECRET', refreshtoken: 'SECRET',
  idtoken: 'SECRET', authorization: 'SECRET', clientsecret: 'SECRET', sessiontoken: 'SECRET', awssessiontoken: 'SECRET',
  secretaccesskey: 'AWS_SECRET', awssecretaccesskey: 'AWS_SECRET', accesskeyid: 'AWS_ACCESS_KEY', awsaccesskeyid: 'AWS_ACCESS_KEY',
  ip: 'IP', ipaddress: 'IP', sourceip: 'IP', clientip: 'IP',
  birthday: 'BIRTHDATE', pwd: 'SECRET', pin: 'SECRET', passcode: 'SECRET', otp: 'SECRET', token: 'SECRET',
  // Portuguese (Brazil), compared without accents: destinatário → destinatario.
  nome: 'NAME', nomecompleto: 'NAME', primeironome: 'NAME', sobrenome: 'NAME', ultimonome: 'NAME', nomesocial: 'NAME', apelido: 'NAME',
  cliente: 'NAME', nomecliente: 'NAME', titular: 'NAME', nometitular: 'NAME', destinatario: 'NAME', nomedestinatario: 'NAME',
  remetente: 'NAME', nomeremetente: 'NAME', comprador: 'NAME', entregador: 'NAME', nomeentregador: 'NAME', motorista: 'NAME',
  nomemotorista: 'NAME', responsavel: 'NAME', contato: 'NAME', nomecontato: 'NAME', usuario: 'NAME', nomeusuario: 'NAME',
  recebedor: 'NAME', pagador: 'NAME', beneficiario: 'NAME', favorecido: 'NAME', portador: 'NAME', nomeportador: 'NAME',
  nomemae: 'NAME', nomedamae: 'NAME', nomepai: 'NAME', nomedopai: 'NAME', mae: 'NAME', pai: 'NAME',
  correio: 'EMAIL', emailcliente: 'EMAIL',
  telefone: 'PHONE', celular: 'PHONE', fone: 'PHONE', whatsapp: 'PHONE', telefonecelular: 'PHONE', telefonefixo: 'PHONE',
  numerotelefone: 'PHONE', numerocelular: 'PHONE', telefonecontato: 'PHONE',
  endereco: 'ADDRESS', logradouro: 'ADDRESS', rua: 'ADDRESS', complemento: 'ADDRESS', bairro: 'ADDRESS', numeroendereco: 'ADDRESS',
  enderecoentrega: 'ADDRESS', enderecocobranca: 'ADDRESS', enderecocompleto: 'ADDRESS', residencia: 'ADDRESS',
  cep: 'POSTCODE', codigopostal: 'POSTCODE',
  cpf: 'CPF', cpfcliente: 'CPF', cpftitular: 'CPF', documento: 'REDACTED', cnpj: 'CNPJ', rg: 'RG', identidade: 'RG',
  cnh: 'REDACTED', pis: 'REDACTED', nis: 'REDACTED', passaporte: 'REDACTED', tituloeleitor: 'REDACTED', ctps: 'REDACTED', cartaosus: 'REDACTED',
  chavepix: 'REDACTED', pix: 'REDACTED',
  nascimento: 'BIRTHDATE', datanascimento: 'BIRTHDATE', datadenascimento: 'BIRTHDATE', dtnascimento: 'BIRTHDATE', datanasc: 'BIRTHDATE', dtnasc: 'BIRTHDATE',
  senha: 'SECRET', senhaatual: 'SECRET', novasenha: 'SECRET', codigoseguranca: 'SECRET',
  cartao: 'CARD', numerocartao: 'CARD', cartaocredito: 'CARD',
};

interface Pattern {
  kind: RedactionKind;
  regex: RegExp;
  /** Checks a match further (Luhn, digit counts); the matched text is replaced when true. */
  accept?: (match: string) => boolean;
  /** The capture group holding the value, when the pattern also matches context around it (the value ends the match). */
  group?: number;
}

const DATE = '(?:\\d{1,2}[./-]\\d{1,2}[./-]\\d{2,4}|\\d{4}-\\d{2}-\\d{2}|\\d{1,2}(?:\\s+de)?\\s+\\p{L}+\\.?(?:\\s+de)?\\s+\\d{4}|\\p{L}+\\s+\\d{1,2},?\\s+\\d{4})';

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
  // Brazilian documents, before cards and phones whose digits they share. Formatted, the shape says it all;
  // bare digits must pass the document's check digits.
  { kind: 'CNPJ', regex: /(?<![\d/]|\d[.-])\d{2}\.\d{3}\.\d{3}\/\d{4}-\d{2}(?![\d/-])/g },
  { kind: 'CPF', regex: /(?<![\d*]|[\d*][.-])[\d*]{3}\.[\d*]{3}\.[\d*]{3}-[\d*]{2}(?![\d*-])/g, accept: (match) => /\d{3}/.test(match) },
  { kind: 'CNPJ', regex: /(?<!\d)\d{14}(?!\d)/g, accept: cnpjValid },
  { kind: 'CPF', regex: /(?<!\d)\d{11}(?!\d)/g, accept: cpfValid },
  { kind: 'RG', regex: /(?<![\d]|\d[.-])(?:[A-Z]{2}-?)?\d{1,2}\.\d{3}\.\d{3}-?[\dXx]?(?![\d.-])/g },
  { kind: 'RG', regex: /\bRG\b[\s:nº°.]*([\dXx][\dXx.-]{4,13})/gu, group: 1 },
  { kind: 'POSTCODE', regex: /(?<![\d]|\d[.-])(?:\d{5}|\d{2}\.\d{3})-\d{3}(?![\d-])/g },
  { kind: 'POSTCODE', regex: /\bCEP\b[\s:nº°.]*(\d{8})(?!\d)/giu, group: 1 },
  {
    kind: 'PHONE',
    regex: /(?<![\w+])(?:(?:\+|00)55[\s.-]?)?(?:\(0?[1-9]{2}\)|0?[1-9]{2})[\s.-]?(?:9[\s.]?)?\d{4}[\s.-]?\d{4}(?!\w)/g,
    accept: brazilianPhone,
  },
  {
    kind: 'BIRTHDATE',
    regex: new RegExp(`(?:\\bborn(?:\\s+on)?|\\bbirth(?:day|\\s*date)?|date\\s+of\\s+birth|\\bd\\.?o\\.?b\\b\\.?|nascid[oa](?:\\s+em)?|data\\s+de\\s+nascimento|\\bnascimento|\\bdt\\.?\\s*nasc\\.?|\\bnasc\\.?)["':=\\s]{0,5}(${DATE})`, 'giu'),
    group: 1,
  },
  { kind: 'SECRET', regex: /\b(?:password|passwd|pwd|passcode|senha|pin)\b(?:\s*[:=]\s*|\s+(?:is|é|era)\s+)["']?([^\s"',;&<>]{2,})/giu, group: 1 },
  { kind: 'IP', regex: new RegExp(`(?<![\\d.])(?:${IPV4_OCTET}\\.){3}${IPV4_OCTET}(?![\\d.])`, 'g') },
  { kind: 'IP', regex: /(?<![:\w])(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}(?![:\w])|(?<![:\w])(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4}(?![:\w])/gi },
  { kind: 'CARD', regex: /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g, accept: (match) => luhnValid(match.replace(/\D/g, '')) },
  { kind: 'POSTCODE', regex: /(?<![\d-])\d{5}-\d{4}(?![\d-])/g },
  { kind: 'PHONE', regex: /(?<![\w.+-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?\d{2,5}(?:[\s.-]?\d{2,5}){1,4}(?![\w.-])/g, accept: looksLikePhone },
  // "Rua das Flores, 123", "Av. Paulista 1578, apto 42", "Travessa do Comércio, nº 7".
  {
    kind: 'ADDRESS',
    regex: /(?<![\p{L}])(?:Rua|R\.|Avenida|Av\.?|Travessa|Trav\.|Tv\.|Alameda|Al\.|Praça|Praca|Pça\.?|Estrada|Estr\.|Rodovia|Rod\.|Largo|Ladeira|Viela|Beco)\s+[^,;\n"<>]{2,80}?,?\s+(?:n[º°o]?\.?\s*)?\d{1,5}[A-Za-z]?(?!\d)(?:\s*[-,]\s*(?:apto?\.?|apartamento|casa|bloco|bl\.?|sala|conjunto|cj\.?)\s*[\w-]+)*/giu,
  },
  // "Bairro Santa Cecília": a neighbourhood named in free text (under a `bairro` key the key says it).
  { kind: 'ADDRESS', regex: /(?<![\p{L}])Bairro\s+(?:(?:d[aeo]s?\s+)?\p{Lu}[\p{L}'-]*(?:\s+|(?=[^\p{L}]|$))){1,4}/gu },
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

/** `nome=Marcos Vinícius` or `cliente: Ana Souza` in prose: the value runs to punctuation or the next label. */
const LABELLED_PAIR = /(^|[\s(,;])([\p{L}_][\p{L}\p{N}_-]{1,30})(\s*[:=]\s*)([^\s,;)(&"<>=][^,;)(&\n"<>=]*?)(?=\s*(?:[,;)(&\n"<>]|$|\s[\p{L}_][\p{L}\p{N}_-]*\s*[:=]))/gu;

/** CPF check digits (mod 11); all-equal digits are not a CPF. */
export function cpfValid(text: string): boolean {
  const digits = text.replace(/\D/g, '');
  if (digits.length !== 11 || /^(\d)\1+$/.test(digits)) return false;
  const check = (length: number) => {
    let sum = 0;
    for (let index = 0; index < length; index += 1) sum += Number(digits[index]) * (length + 1 - index);
    const rest = (sum * 10) % 11;
    return rest === 10 ? 0 : rest;
  };
  return check(9) === Number(digits[9]) && check(10) === Number(digits[10]);
}

/** CNPJ check digits (mod 11 with weights 2..9). */
export function cnpjValid(text: string): boolean {
  const digits = text.replace(/\D/g, '');
  if (digits.length !== 14 || /^(\d)\1+$/.test(digits)) return false;
  const check = (length: number) => {
    let sum = 0;
    let weight = length - 7;
    for (let index = 0; index < length; index += 1) {
      sum += Number(digits[index]) * weight;
      weight = weight === 2 ? 9 : weight - 1;
    }
    const rest = sum % 11;
    return rest < 2 ? 0 : 11 - rest;
  };
  return check(12) === Number(digits[12]) && check(13) === Number(digits[13]);
}

/** A Brazilian number: a real area code (11–99, no zero), then 8 digits (landline, 2–5) or 9 starting with 9 (mobile). */
function brazilianPhone(match: string): boolean {
  let digits = match.replace(/\D/g, '');
  const international = /^(?:\+|00)55/.test(match.trim());
  if (international) digits = digits.replace(/^(?:00)?55/, '');
  else if (digits.startsWith('0')) digits = digits.slice(1);
  if (!/^[1-9]{2}/.test(digits)) return false;
  const local = digits.slice(2);
  const plausible = (local.length === 9 && local.startsWith('9')) || (local.length === 8 && /^[2-5]/.test(local));
  if (!plausible) return false;
  if (international || /[\s().-]/.test(match)) return true;
  // Bare digits could be any id: only a mobile's shape (a real area code, then 9 and 6-9) counts unformatted.
  return local.length === 9 && /^9[6-9]/.test(local) && AREA_CODES.test(digits.slice(0, 2));
}

/** Brazil's area codes (DDD), as Anatel assigns them. */
const AREA_CODES = /^(?:1[1-9]|2[12478]|3[1-578]|4[1-9]|5[1345]|6[1-9]|7[13457]|79|8[1-9]|9[1-9])$/;

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
  return key.replace(/\.\$$/, '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[_\-\s]/g, '').toLowerCase();
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
  private readonly projectRoot?: string;

  /**
   * Paths of the user's machine name them (`/home/ana/...`) and say nothing about the failure:
   * those inside `projectRoot` become project-relative, the rest of `homeDir` (and any
   * other user's home) is shown as `~`.
   */
  constructor(options: { extraKeys?: readonly string[]; homeDir?: string; projectRoot?: string } = {}) {
    this.homeDir = options.homeDir && options.homeDir.length > 1 ? options.homeDir.replace(/[\\/]+$/, '') : undefined;
    this.projectRoot = options.projectRoot && options.projectRoot.length > 1 ? options.projectRoot.replace(/[\\/]+$/, '') : undefined;
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

  private kindOfKey(key: string | undefined, inAddress = false): RedactionKind | undefined {
    if (key === undefined) return undefined;
    const normalised = normaliseKey(key);
    return this.keyKinds[normalised] ?? (inAddress && ADDRESS_PARTS.has(normalised) ? 'ADDRESS' : undefined);
  }

  /** An object that is an address (it has a street or postcode key): its `number` is the house number. */
  private isAddress(value: { [key: string]: Json }): boolean {
    return Object.keys(value).some((key) => {
      const kind = this.keyKinds[normaliseKey(key)];
      return kind === 'ADDRESS' || kind === 'POSTCODE';
    });
  }

  private learn(value: Json, key: string | undefined): void {
    if (typeof value === 'string') {
      const kind = this.kindOfKey(key);
      if (kind && value.trim() !== '' && !isExpression(value)) this.placeholder(kind, value);
      const embedded = parseEmbedded(value) ?? parseEmbedded(decodeBase64(value.trim()) ?? '');
      if (embedded !== undefined) this.learn(embedded, undefined);
      else this.learnQuotedPairs(value);
      for (const pair of value.matchAll(QUERY_PAIR)) {
        const pairKind = this.kindOfKey(decodeUrl(pair[2]));
        const pairValue = decodeUrl(pair[3]);
        if (pairKind && pairValue.trim() !== '') this.placeholder(pairKind, pairValue);
      }
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
    if (value && typeof value === 'object') {
      const inAddress = this.isAddress(value);
      for (const [child, item] of Object.entries(value)) {
        if (inAddress && (typeof item === 'string' || typeof item === 'number') && this.kindOfKey(child, true) === 'ADDRESS' && !this.kindOfKey(child)) this.placeholder('ADDRESS', String(item));
        else this.learn(item, child);
      }
    }
  }

  private learnQuotedPairs(text: string): void {
    for (const match of text.matchAll(LABELLED_PAIR)) {
      const kind = this.kindOfKey(match[2]);
      if (kind && !isExpression(match[4]) && !/^<[A-Z_]+_\d+>$/.test(match[4])) this.placeholder(kind, match[4]);
    }
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
      const inAddress = this.isAddress(value);
      return Object.fromEntries(
        Object.entries(value).map(([child, item]) => {
          if (inAddress && (typeof item === 'string' || typeof item === 'number') && this.kindOfKey(child, true) && !this.kindOfKey(child)) return [child, this.placeholder('ADDRESS', String(item))];
          return [child, this.rewrite(item, child)];
        }),
      );
    }
    return value;
  }

  private rewriteString(value: string, key: string | undefined, depth = 0): string {
    const kind = this.kindOfKey(key);
    if (kind && value.trim() !== '' && !isExpression(value)) return this.placeholder(kind, value);
    const embedded = parseEmbedded(value);
    if (embedded !== undefined) return JSON.stringify(this.rewrite(embedded, undefined));
    // A whole value in base64 (a payload, a Basic credential): scanned decoded, sent re-encoded so its shape stays.
    const decoded = depth < MAX_DEPTH ? decodeBase64(value.trim()) : undefined;
    if (decoded !== undefined) {
      const redacted = this.rewriteString(decoded, undefined, depth + 1);
      return redacted === decoded ? value : encodeBase64Like(redacted, value.trim());
    }
    let text = this.relativePaths(value);
    if (depth < MAX_DEPTH) text = this.rewriteEncoded(text, depth);
    for (const pattern of PATTERNS) {
      text = text.replace(pattern.regex, (...args: unknown[]) => {
        const match = args[0] as string;
        const target = pattern.group ? (args[pattern.group] as string) : match;
        if (pattern.accept && !pattern.accept(target)) return match;
        if (/^<[A-Z_]+_\d+>$/.test(target)) return match;
        const replaced = this.placeholder(pattern.kind, target);
        if (!pattern.group) return replaced;
        // The value ends the match: replace that occurrence, not an earlier one in the label.
        const at = match.lastIndexOf(target);
        return match.slice(0, at) + replaced + match.slice(at + target.length);
      });
    }
    text = text.replace(LABELLED_PAIR, (match, lead: string, pairKey: string, colon: string, pairValue: string) => {
      const pairKind = this.kindOfKey(pairKey);
      if (!pairKind || isExpression(pairValue) || /^<[A-Z_]+_\d+>$/.test(pairValue)) return match;
      return `${lead}${pairKey}${colon}${this.placeholder(pairKind, pairValue)}`;
    });
    text = text.replace(QUOTED_PAIR, (match, quote: string, pairKey: string, colon: string, pairValue: string) => {
      const pairKind = this.kindOfKey(pairKey);
      if (!pairKind || pairValue.trim() === '' || isExpression(pairValue) || /^<[A-Z_]+_\d+>$/.test(pairValue)) return match;
      return `${quote}${pairKey}${quote}${colon}${quote}${this.placeholder(pairKind, pairValue)}${quote}`;
    });
    return this.replaceKnownValues(text);
  }

  /** Project paths made relative, home folders shown as `~` (file:// URLs included). */
  private relativePaths(text: string): string {
    let result = text;
    if (this.projectRoot) {
      const root = this.projectRoot;
      result = result.split(`file://${root}/`).join('').split(`${root}/`).join('').split(`${root}\\`).join('');
      result = result.replace(new RegExp(`${escapeRegExp(root)}(?![\\w.-])`, 'g'), '.');
    }
    if (this.homeDir) result = result.split(this.homeDir).join('~');
    // Someone else's home on this machine, or the user's under another mount (CI, containers).
    return result.replace(/(?:\/(?:home|Users)\/|[A-Za-z]:\\Users\\)[^/\\\s"'`:]+/g, '~');
  }

  /**
   * Encoded values inside text: query strings and URL-encoded parts (`nome=Maria%20Silva&cpf=...`)
   * are decoded, redacted by key and by shape, and re-encoded; base64 words decoded to text are
   * scanned and re-encoded.
   */
  private rewriteEncoded(text: string, depth: number): string {
    let result = text;
    if (result.includes('=') || result.includes('%')) {
      result = result.replace(QUERY_PAIR, (match, lead: string, rawKey: string, rawValue: string) => {
        const pairKey = decodeUrl(rawKey);
        const pairValue = decodeUrl(rawValue);
        if (pairValue.trim() === '') return match;
        const pairKind = this.kindOfKey(pairKey);
        const redacted = pairKind ? this.placeholder(pairKind, pairValue) : this.rewriteString(pairValue, undefined, depth + 1);
        return redacted === pairValue ? match : `${lead}${rawKey}=${encodeKeepingPlaceholders(redacted)}`;
      });
      result = result.replace(URL_ENCODED, (match) => {
        const plain = decodeUrl(match);
        if (plain === match) return match;
        const redacted = this.rewriteString(plain, undefined, depth + 1);
        return redacted === plain ? match : encodeKeepingPlaceholders(redacted);
      });
    }
    return result.replace(BASE64_WORD, (match) => {
      const plain = decodeBase64(match);
      if (plain === undefined) return match;
      const redacted = this.rewriteString(plain, undefined, depth + 1);
      return redacted === plain ? match : encodeBase64Like(redacted, match);
    });
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

/** Keys that are part of an address only beside one (`number` alone may be an order's). */
const ADDRESS_PARTS = new Set(['numero', 'number', 'num', 'nro', 'no', 'housenumber']);

/** Encodings are unwrapped this many times at most (base64 in a query string in JSON...). */
const MAX_DEPTH = 4;
/** `key=value` in a query string or form body (the lead keeps `?`, `&` or the start). */
const QUERY_PAIR = /(^|[?&;])([A-Za-z_][\w.%-]{0,40})=([^&;\s#"'<>]*)/g;
/** A run holding percent-escapes (`Maria%20da%20Silva`, `ana%40exemplo.com`). */
const URL_ENCODED = /[^\s"'<>&=?#/]*%[0-9A-Fa-f]{2}[^\s"'<>&=?#/]*/g;
/** A word that may be base64 (standard or URL-safe): long enough to hold a value. */
const BASE64_WORD = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{12,}={0,2}(?![A-Za-z0-9+/=_-])/g;

/** URL-encoded again, placeholders left readable (the model reads them; nothing calls the URL). */
function encodeKeepingPlaceholders(text: string): string {
  return encodeURIComponent(text).replace(/%3C([A-Z_]+_\d+)%3E/g, '<$1>');
}

function decodeUrl(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** The text a base64 string encodes, when it is base64 of readable UTF-8 text; else undefined. */
export function decodeBase64(text: string): string | undefined {
  if (text.length < 12 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return undefined;
  const urlSafe = /[_-]/.test(text);
  if (urlSafe && /[+/]/.test(text)) return undefined;
  if (!urlSafe && text.replace(/=+$/, '').length % 4 === 1) return undefined;
  // Words and identifiers (ExecutionFailedEventDetails) are valid base64 too: only readable text counts.
  const bytes = Buffer.from(text, urlSafe ? 'base64url' : 'base64');
  const decoded = bytes.toString('utf8');
  if (decoded.length < 4 || decoded.includes('\uFFFD') || Buffer.byteLength(decoded) !== bytes.length) return undefined;
  // eslint-disable-next-line no-control-regex -- readable text has no control characters but whitespace
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/.test(decoded)) return undefined;
  if (!/[\p{L}\p{N}]{2}/u.test(decoded)) return undefined;
  return decoded;
}

/** Base64 of `text` in the alphabet and padding style of `like`. */
function encodeBase64Like(text: string, like: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (/[_-]/.test(like)) return bytes.toString('base64url');
  const encoded = bytes.toString('base64');
  return like.endsWith('=') ? encoded : encoded.replace(/=+$/, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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

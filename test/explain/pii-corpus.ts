/**
 * A corpus of personal data as delivery workflows carry it, in English and
 * Brazilian Portuguese formats: under keys, in free text, in arrays, in JSON
 * strings inside JSON strings, in base64 and URL-encoded strings, in the
 * names of the execution, the failing state and the error. Every seeded value
 * is listed in SEEDED; none of them may reach Bedrock.
 */
import { cnpjValid, cpfValid } from '../../src/explain/redact.js';

export interface Seeded {
  value: string;
  /** Other spellings of the same value that must not leak either (digits only, decoded forms). */
  variants?: string[];
}

const SEEDED_VALUES: Seeded[] = [];
function seed(value: string, ...variants: string[]): string {
  SEEDED_VALUES.push({ value, variants });
  return value;
}

/** CPFs and CNPJs with real check digits, made from a base (the generator is the algorithm itself). */
function cpf(base: string): string {
  for (let check = 0; check < 100; check += 1) {
    const digits = `${base}${String(check).padStart(2, '0')}`;
    if (cpfValid(digits)) return digits;
  }
  throw new Error(`no CPF for ${base}`);
}
function cnpj(base: string): string {
  for (let check = 0; check < 100; check += 1) {
    const digits = `${base}${String(check).padStart(2, '0')}`;
    if (cnpjValid(digits)) return digits;
  }
  throw new Error(`no CNPJ for ${base}`);
}
const formatCpf = (d: string) => `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6, 9)}-${d.slice(9)}`;
const formatCnpj = (d: string) => `${d.slice(0, 2)}.${d.slice(2, 5)}.${d.slice(5, 8)}/${d.slice(8, 12)}-${d.slice(12)}`;

const cpfs = ['529982247', '111444777', '390533447', '714602380', '123456789', '987654321', '246813579', '135792468'].map(cpf);
const cnpjs = ['112223330001', '191311120001', '045975960001', '334475050001'].map(cnpj);

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

// Under personal keys, English.
const english = {
  customer: {
    firstName: seed('Ada'),
    lastName: seed('Lovelace'),
    fullName: seed('Grace Brewster Hopper'),
    email: seed('ada.lovelace@example.com'),
    phone: seed('+44 20 7946 0958', '442079460958'),
    dateOfBirth: seed('1815-12-10'),
    password: seed('correct-horse-battery'),
  },
  recipient: seed('Charles Babbage'),
  shipTo: { line1: seed('12 Crescent Road'), line2: seed('Flat 4B'), postcode: seed('LS1 4AP'), city: 'Leeds', country: 'GB' },
  payment: { cardNumber: seed('4111 1111 1111 1111', '4111111111111111'), cvv: seed('737'), cardholder: seed('Alan Turing') },
  contacts: [
    { name: seed('Katherine Johnson'), mobile: seed('(555) 867-5309', '5558675309') },
    { name: seed('Dorothy Vaughan'), email: seed('dorothy@nasa.example') },
  ],
  apiKey: seed('sk_live_9f8e7d6c5b4a3f2e1d0c'),
  sourceIp: seed('203.0.113.77'),
};

// Under personal keys, Portuguese (with and without accents).
const portuguese = {
  nome: seed('Maria Aparecida'),
  cliente: { nome: seed('João Pedro Souza'), cpf: seed(formatCpf(cpfs[0]), cpfs[0]), rg: seed('12.345.678-9', '123456789'), nascimento: seed('21/07/1990'), senha: seed('minhaSenha#2024') },
  titular: seed('Ana Beatriz Lima'),
  destinatário: seed('Carlos Eduardo Ferreira'),
  remetente: seed('Loja Exemplo Ltda'),
  endereço: { logradouro: seed('Rua Haddock Lobo'), número: seed('595'), complemento: seed('apto 12'), bairro: seed('Cerqueira César'), cep: seed('01414-001', '01414001'), cidade: 'São Paulo' },
  telefone: seed('(11) 3456-7890', '1134567890'),
  celular: seed('+55 11 98765-4321', '5511987654321', '11987654321'),
  whatsapp: seed('21999887766'),
  cnpj: seed(formatCnpj(cnpjs[0]), cnpjs[0]),
  data_de_nascimento: seed('1988-02-29'),
  entregador: { nome: seed('Roberto Carlos Dias'), cnh: seed('04532198766'), telefone: seed('+5521987651234', '21987651234') },
  chavePix: seed('maria.pix@exemplo.com.br'),
  itens: [
    { sku: 'CAM-01', destinatario: seed('Fernanda Montenegro') },
    { sku: 'CAM-02', destinatario: seed('Paulo Freire'), endereco: seed('Avenida Brasil, 1500') },
  ],
};

// More of both, in arrays of objects and arrays of strings.
const more = {
  compradores: [
    { comprador: seed('Fulano de Tal'), nomeCliente: seed('Mariana Costa'), responsável: seed('Pedro Henrique') },
    { motorista: seed('Sergio Mendes'), rua: seed('Rua Augusta'), bairro: seed('Jardim Paulista'), cep: seed('70040-010', '70040010') },
  ],
  emails: [seed('a.b@correio.com.br'), seed('ops+alerts@example.org')],
  people: [{ birthDate: seed('19/05/1979'), passwd: seed('hunter2!x') }, { pin: seed('48151623') }],
  places: [`Retirar na ${seed('Alameda Santos, 2000')}`, `ou na ${seed('Praça da Sé, 100')}`, `ou ${seed('Rodovia BR-101, 2500')}`],
  calls: `call ${seed('+1 415 555 2671', '14155552671')} or Brasília ${seed('(61) 3333-4444', '6133334444')}`,
  infra: { accessKeyId: seed('AKIAIOSFODNN7EXAMPLE'), clientIp: seed('198.51.100.23') },
};

// In free text, without keys: shapes alone.
const text = {
  note: `Ligar para ${seed('(21) 2345-6789', '2123456789')} ou ${seed('+55 (31) 9 8888-7777', '31988887777')} antes das 18h, ou no ${seed('48991234567')}`,
  delivery: `Entregar na ${seed('Rua das Flores, 123')} - ${seed('Bairro Santa Cecília')} - ${seed('Av. Paulista 1578, apto 42')} ou ${seed('Travessa do Comércio, nº 7')}`,
  documents: `CPF ${seed(formatCpf(cpfs[1]), cpfs[1])}, sem máscara ${seed(cpfs[2])}, CNPJ ${seed(cnpjs[1])} e ${seed(formatCnpj(cnpjs[2]), cnpjs[2])}; RG ${seed('MG-14.808.688')}`,
  postcodes: `CEP ${seed('20040-020', '20040020')} e CEP ${seed('30130010')}; US ${seed('20500-0003')}`,
  birth: `cliente nascido em ${seed('03/11/1975')}; DOB: ${seed('1962-08-17')}; born on ${seed('April 4, 1980')}`,
  secrets: `login failed: senha=${seed('segredo123')} password: ${seed('Tr0ub4dor3')}`,
  emails: `bounce from ${seed('joao.silva@empresa.com.br')} and ${seed('grace@navy.example')}`,
  english: `deliver to ${seed('221B Baker Street')}; call ${seed('020 7946 0000', '02079460000')}`,
  card: `charged ${seed('5555-5555-5555-4444', '5555555555554444')} twice`,
};

// Encoded: base64 (standard and URL-safe), URL-encoded, query strings and form bodies.
const basicName = seed('Lucia Helena');
const encoded = {
  payloadB64: b64(JSON.stringify({ nome: basicName, cpf: seed(formatCpf(cpfs[3]), cpfs[3]), email: seed('lucia.helena@exemplo.com.br') })),
  noteB64: b64url(`cliente com telefone ${seed('(41) 99876-5432', '41998765432')} e CEP ${seed('80010-000', '80010000')}`),
  authorization: `Basic ${b64(`${seed('entregas@exemplo.com.br')}:${seed('SenhaForte!99')}`)}`,
  callbackUrl: `https://api.exemplo.com.br/retorno?nome=${encodeURIComponent(seed('José Antônio'))}&email=${encodeURIComponent(seed('jose.antonio@exemplo.com.br'))}&cpf=${encodeURIComponent(seed(formatCpf(cpfs[4]), cpfs[4]))}`,
  formBody: `destinatario=${encodeURIComponent(seed('Beatriz Nogueira')).replace(/%20/g, '+')}&telefone=${encodeURIComponent(seed('+55 48 3222-1100', '554832221100'))}&cep=${seed('88010400')}`,
  path: `/entregas/${encodeURIComponent(seed('ricardo.alves@exemplo.com.br'))}/status`,
};

// JSON in a string in a string: a Lambda cause quoting its serialised event.
const innermost = JSON.stringify({ titular: seed('Helena Ribeiro'), cpf: seed(formatCpf(cpfs[5]), cpfs[5]), logradouro: seed('Rua Oscar Freire, 900') });
const middle = JSON.stringify({ evento: innermost, celular: seed('(85) 98123-4567', '85981234567') });
export const CORPUS_INPUT = { pedido: 'PED-2026-0042', english, portuguese, more, text, encoded, nested: JSON.stringify({ payload: middle }) };

/** A handler error as Lambda serialises it, quoting personal data and the user's paths. */
export function corpusCause(projectRoot: string, homeDir: string): string {
  return JSON.stringify({
    errorType: 'EnderecoInvalido',
    errorMessage: `CEP ${seed('04538-132', '04538132')} não atende ${seed('Rua Funchal, 418')} para ${seed('Marcos Vinícius')} (cpf ${seed(formatCpf(cpfs[6]), cpfs[6])}, nome=${seed('Marcos Vinícius')})`,
    stackTrace: [
      `EnderecoInvalido: CEP inválido`,
      `    at validar (${projectRoot}/functions/reservar-entregador.ts:21:11)`,
      `    at file://${projectRoot}/functions/lib/endereco.ts:8:3`,
      `    at Object.<anonymous> (${homeDir}/.npm/_npx/deliv/lib.js:1:1)`,
    ],
  });
}

/** Names the workflow chose, carrying personal data anyway. */
export const EXECUTION_NAME = `pedido-${seed(cpfs[7])}`;
export const STATE_NAME = `Notificar ${seed('cliente.vip@exemplo.com.br')}`;
export const ERROR_NAME = `Cliente.${seed(formatCnpj(cnpjs[3]), cnpjs[3])}`;

export const SEEDED: readonly Seeded[] = SEEDED_VALUES;

/** Every spelling of every seeded value, for "none of this was sent" checks. */
export function seededSpellings(): string[] {
  return SEEDED.flatMap((seeded) => [seeded.value, ...(seeded.variants ?? [])]);
}

/**
 * The seeded spellings found in `sent`: as written, URL-decoded, or inside any
 * base64 word decoded (decoded here independently of the redactor). Whole
 * words only, so `737` inside a placeholder count or a base64 run is no leak.
 */
export function leaks(sent: string): string[] {
  const views = [sent];
  try {
    views.push(decodeURIComponent(sent.replace(/\+/g, ' ')));
  } catch {
    views.push(sent.replace(/%[0-9A-Fa-f]{2}/g, (hex) => String.fromCharCode(parseInt(hex.slice(1), 16))));
  }
  for (const word of sent.match(/[A-Za-z0-9+/_-]{12,}={0,2}/g) ?? []) {
    views.push(Buffer.from(word, 'base64').toString('utf8'), Buffer.from(word, 'base64url').toString('utf8'));
  }
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return seededSpellings().filter((value) => {
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escape(value)}(?![\\p{L}\\p{N}])`, 'u');
    return views.some((view) => pattern.test(view));
  });
}

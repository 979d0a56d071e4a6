import { describe, expect, it } from 'vitest';
import { extractFailureContext, redactContext } from '../../src/explain/context.js';
import { renderPrompt } from '../../src/explain/prompt.js';
import { Redactor } from '../../src/explain/redact.js';
import { HistoryBuilder } from './history.js';
import { CORPUS_INPUT, corpusCause, ERROR_NAME, EXECUTION_NAME, leaks, SEEDED, STATE_NAME } from './pii-corpus.js';

const PROJECT = '/home/ana.souza/projetos/entregas';
const HOME = '/home/ana.souza';

function corpusPrompt(): string {
  const cause = corpusCause(PROJECT, HOME);
  const parameters = { FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:reservar-entregador', Payload: CORPUS_INPUT };
  const events = new HistoryBuilder(CORPUS_INPUT)
    .enter(STATE_NAME, 'Task', CORPUS_INPUT)
    .scheduled('invoke', parameters, { timeoutInSeconds: 30 })
    .taskFailed(ERROR_NAME, cause)
    .failed(ERROR_NAME, cause);
  const definition = { StartAt: STATE_NAME, States: { [STATE_NAME]: { Type: 'Task' as const, Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'Payload.$': '$' }, End: true } } };
  const context = extractFailureContext(events, definition, { executionArn: `arn:aws:states:us-east-1:123456789012:execution:entregas:${EXECUTION_NAME}` });
  return renderPrompt(redactContext(context, new Redactor({ homeDir: HOME, projectRoot: PROJECT })));
}

describe('personal data before Bedrock: the corpus', () => {
  it('seeds at least 100 values in English and Portuguese formats', () => {
    expect(SEEDED.length).toBeGreaterThanOrEqual(100);
  });

  it('redacts every one of them, wherever and however it is written', () => {
    const prompt = corpusPrompt();
    expect(leaks(prompt)).toEqual([]);
  });

  it('keeps what explains the failure: keys, non-personal values, placeholders by kind, project-relative paths', () => {
    const prompt = corpusPrompt();
    for (const kept of ['PED-2026-0042', 'CAM-02', 'São Paulo', 'Leeds', 'functions/reservar-entregador.ts:21:11', 'functions/lib/endereco.ts:8:3', '~/.npm/_npx/deliv/lib.js']) {
      expect(prompt).toContain(kept);
    }
    expect(prompt).not.toContain(HOME);
    expect(prompt).not.toContain('ana.souza');
    for (const kind of ['CPF', 'CNPJ', 'RG', 'POSTCODE', 'PHONE', 'ADDRESS', 'NAME', 'EMAIL', 'BIRTHDATE', 'SECRET', 'CARD']) expect(prompt).toContain(`<${kind}_1>`);
  });
});

describe('Brazilian shapes', () => {
  const redact = (text: string) => new Redactor().redactText(text);

  it('tells CPFs and CNPJs by their check digits when they are bare digits', () => {
    expect(redact('cpf 52998224725 e 52998224724')).toBe('cpf <CPF_1> e 52998224724');
    expect(redact('cnpj 11222333000181 e 11222333000180')).toBe('cnpj <CNPJ_1> e 11222333000180');
    // Formatted, the shape alone says it is one (test data often has wrong check digits).
    expect(redact('CPF 123.456.789-00, CNPJ 12.345.678/0001-00')).toBe('CPF <CPF_1>, CNPJ <CNPJ_1>');
    expect(redact('mascarado ***.456.789-**')).toBe('mascarado <CPF_1>');
  });

  it('knows Brazilian phones, formatted or with +55, and leaves order numbers alone', () => {
    expect(redact('+55 11 98765-4321 / (11) 3456-7890 / 11 3456 7890 / +5511987654321 / 0xx')).toBe('<PHONE_1> / <PHONE_2> / <PHONE_3> / <PHONE_4> / 0xx');
    expect(redact('pedido 12345678 lote 2026')).toBe('pedido 12345678 lote 2026');
  });

  it('redacts CEPs with and without the dash, and Portuguese addresses', () => {
    expect(redact('CEP 01310-100 ou CEP 01310100')).toBe('CEP <POSTCODE_1> ou CEP <POSTCODE_2>');
    expect(redact('na Rua das Flores, 123 ou Av. Brasil 500')).toBe('na <ADDRESS_1> ou <ADDRESS_2>');
    expect(redact('via Lambda 3 vezes')).toBe('via Lambda 3 vezes');
  });

  it('reads Portuguese keys with or without accents, and passwords and birth dates in text', () => {
    // Beside an address key, `número` is the house number.
    expect(new Redactor().redact({ destinatário: 'Ana', endereço: 'Rua X', número: 10, senha: 's3gr3do' })).toEqual({ destinatário: '<NAME_1>', endereço: '<ADDRESS_1>', número: '<ADDRESS_2>', senha: '<SECRET_1>' });
    expect(redact('senha=abc12345 e nascida em 01/02/1990')).toBe('senha=<SECRET_1> e nascida em <BIRTHDATE_1>');
  });

  it('decodes base64 and URL-encoded values, and sends them re-encoded', () => {
    const encoded = Buffer.from('{"cpf":"529.982.247-25"}').toString('base64');
    const redacted = new Redactor().redact({ payload: encoded, url: 'https://x.example/cb?email=ana%40exemplo.com&ok=1' });
    expect(Buffer.from(redacted.payload, 'base64').toString()).toBe('{"cpf":"<CPF_1>"}');
    expect(redacted.url).toBe('https://x.example/cb?email=<EMAIL_1>&ok=1');
  });
});

/* eslint-disable no-control-regex -- these tests look for control characters */
import { describe, expect, it } from 'vitest';
import { jsonTerminalSafe, terminalSafe } from '../../src/ui/output.js';

const ESC = '\u001b';

describe('terminalSafe', () => {
  it('drops what a terminal would act on: cursor moves, screen clears, titles, clipboard writes, hyperlinks', () => {
    const hostile = [
      `Pay${ESC}[2J${ESC}[H`,
      `title${ESC}]0;pwned${ESC}\\`,
      `clip${ESC}]52;c;ZWNobyBwd25lZA==\u0007`,
      `${ESC}]8;;https://evil.example${ESC}\\link${ESC}]8;;${ESC}\\`,
      `up${ESC}[1A${ESC}[Kover`,
      'bell\u0007 back\b\b space\r overwrite',
      '8-bit \u009b2J csi \u009d0;t\u009c osc',
      'bidi \u202eevil\u202c',
      `dcs ${ESC}P+q544e${ESC}\\ end`,
      `lone ${ESC}`,
    ];
    const safe = hostile.map((text) => terminalSafe(text, { colour: false }));
    expect(safe).toEqual([
      'Pay',
      'title',
      'clip',
      'link',
      'upover',
      'bell back space overwrite',
      '8-bit  csi  osc',
      'bidi evil',
      'dcs  end',
      'lone ',
    ]);
    for (const text of safe) expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  it("keeps deliv's own colours while colour is on, but not codes that hide or blink text", () => {
    const painted = `${ESC}[31mFAILED${ESC}[39m ${ESC}[1m${ESC}[2mdim${ESC}[22m`;
    expect(terminalSafe(painted, { colour: true })).toBe(painted);
    expect(terminalSafe(painted, { colour: false })).toBe('FAILED dim');
    expect(terminalSafe(`${ESC}[8msecret${ESC}[28m ${ESC}[5mblink`, { colour: true })).toBe('secret blink');
  });

  it('keeps newlines, tabs and every printable character', () => {
    const text = 'line 1\n\tcafé — São Paulo 🚚\r\nline 3';
    expect(terminalSafe(text)).toBe('line 1\n\tcafé — São Paulo 🚚\nline 3');
  });
});

describe('jsonTerminalSafe', () => {
  it('escapes what JSON.stringify leaves raw, without changing the data', () => {
    const value = { cause: `8-bit \u009b2J, bidi \u202e, ${ESC}[2J` };
    const json = jsonTerminalSafe(JSON.stringify(value));
    expect(json).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

/**
 * Where something is in a file the user wrote: the line and column of a value
 * (or of its key) reached by a path of keys, in YAML or JSON text (JSON is
 * read as YAML for this, which keeps every node's offset). Problems in
 * deliv.yaml and MockConfigFiles are reported at these places, as validate
 * reports a definition's.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';

export interface Place {
  line: number;
  column: number;
}

export class Places {
  private readonly lines = new LineCounter();
  private readonly document: Document;

  constructor(text: string) {
    // JSON allows a key twice (the last wins); the places of such a file must still be found.
    this.document = parseDocument(text, { lineCounter: this.lines, uniqueKeys: false, prettyErrors: false });
  }

  /** The text's value, from the same parse (duplicate keys: the last wins, as in JSON). */
  value(): unknown {
    return this.document.toJS();
  }

  /** YAML syntax errors of the text, at their places. */
  syntaxErrors(): { place: Place; message: string }[] {
    return this.document.errors.map((error) => ({ place: this.offset(error.pos[0]), message: error.message.split('\n')[0] }));
  }

  /**
   * The place of the value at `keys` (of its key with `key: true`); where the
   * path goes further than the file, the place of the deepest part that exists.
   */
  at(keys: readonly (string | number)[], options: { key?: boolean } = {}): Place {
    let node: unknown = this.document.contents;
    let place = this.rangeStart(node) ?? { line: 1, column: 1 };
    for (let index = 0; index < keys.length; index += 1) {
      const wanted = keys[index];
      const last = index === keys.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((item) => String(isScalar(item.key) ? item.key.value : item.key) === String(wanted));
        if (!pair) return place;
        const keyPlace = this.rangeStart(pair.key);
        if (last && options.key && keyPlace) return keyPlace;
        node = pair.value;
        place = this.rangeStart(node) ?? keyPlace ?? place;
      } else if (isSeq(node) && typeof wanted === 'number' && node.items[wanted] !== undefined) {
        node = node.items[wanted];
        place = this.rangeStart(node) ?? place;
      } else {
        return place;
      }
    }
    return place;
  }

  private rangeStart(node: unknown): Place | undefined {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? this.offset(range[0]) : undefined;
  }

  private offset(offset: number): Place {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }
}

/**
 * The place and the words of a JSON.parse error. V8 names an offset
 * ("... in JSON at position 137", with "(line 7 column 3)" on newer Node);
 * "Unexpected end of JSON input" names none: that is the end of the text.
 */
export function jsonSyntaxProblem(text: string, error: unknown): { place: Place; message: string } {
  const raw = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(raw);
  const offset = position ? Number(position[1]) : text.length;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  const message = raw.replace(/\s*(?:in JSON )?at position \d+(?: \(line \d+ column \d+\))?/, '').replace(/^Unexpected end of JSON input$/, 'the JSON ends too early (a bracket or quote is not closed)');
  return { place: { line, column }, message };
}

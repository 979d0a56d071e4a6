/**
 * A strict little XML reader for tests: throws on anything not well-formed
 * (unbalanced or crossed tags, unquoted or repeated attributes, stray `<` or
 * `&`), and returns the element tree so tests can look inside an SVG.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = '[A-Za-z_][\\w.:-]*';
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

export function parseXml(source: string): XmlElement {
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  let index = 0;
  const fail = (message: string): never => {
    const line = source.slice(0, index).split('\n').length;
    throw new Error(`not well-formed XML at line ${line}: ${message}`);
  };
  const checkText = (text: string) => {
    if (text.includes('<')) fail('stray <');
    if (text.replace(ENTITY, '').includes('&')) fail(`bad entity in ${JSON.stringify(text.slice(0, 40))}`);
  };
  while (index < source.length) {
    const open = source.indexOf('<', index);
    const text = source.slice(index, open === -1 ? source.length : open);
    checkText(text);
    stack[stack.length - 1].text += decode(text);
    if (open === -1) break;
    index = open;
    if (source.startsWith('<?', index)) {
      index = source.indexOf('?>', index) + 2;
      continue;
    }
    if (source.startsWith('<!--', index)) {
      index = source.indexOf('-->', index) + 3;
      continue;
    }
    const close = new RegExp(`^</(${NAME})\\s*>`).exec(source.slice(index));
    if (close) {
      const top = stack.pop()!;
      if (top.name !== close[1]) fail(`</${close[1]}> closes <${top.name}>`);
      index += close[0].length;
      continue;
    }
    const tag = new RegExp(`^<(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>`).exec(source.slice(index));
    if (!tag) fail(`bad tag ${JSON.stringify(source.slice(index, index + 40))}`);
    const element: XmlElement = { name: tag![1], attributes: {}, children: [], text: '' };
    for (const match of tag![2].matchAll(new RegExp(`(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'g'))) {
      if (match[1] in element.attributes) fail(`attribute ${match[1]} repeated`);
      const value = match[2] ?? match[3];
      checkText(value);
      element.attributes[match[1]] = decode(value);
    }
    stack[stack.length - 1].children.push(element);
    if (!tag![3]) stack.push(element);
    index += tag![0].length;
  }
  if (stack.length !== 1) fail(`<${stack[stack.length - 1].name}> is never closed`);
  if (root.children.length !== 1) fail('a document has exactly one root element');
  return root.children[0];
}

function decode(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-fA-F]+);/g, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, decimal: string) => String.fromCodePoint(Number(decimal)))
    .replace(/&amp;/g, '&');
}

/** Every element below `element` (itself included) that passes `test`. */
export function findAll(element: XmlElement, test: (element: XmlElement) => boolean): XmlElement[] {
  const found: XmlElement[] = test(element) ? [element] : [];
  for (const child of element.children) found.push(...findAll(child, test));
  return found;
}

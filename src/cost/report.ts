/** The human-readable estimate: line items, totals, Standard vs Express, prices used and assumptions. */
import { paint } from '../ui/colors.js';
import { renderTable } from '../ui/table.js';
import { fitVisible, wrapWords } from '../ui/width.js';
import { Decimal } from './decimal.js';
import type { Comparison, LineItem } from './estimate.js';
import type { CostDiff, CostReport } from './types.js';
import type { PriceSource } from './prices/types.js';

/** Dollars for display: cents, or more digits for amounts under a cent so they do not show as $0.00. */
export function formatUsd(amount: Decimal): string {
  const negative = amount.isNegative();
  const magnitude = negative ? Decimal.ZERO.sub(amount) : amount;
  let text: string;
  if (!magnitude.isZero() && magnitude.lt('0.01')) {
    text = magnitude.toFixed(6).replace(/0+$/, '');
  } else {
    const [whole, cents] = magnitude.toFixed(2).split('.');
    text = `${BigInt(whole).toLocaleString('en-US')}.${cents}`;
  }
  return `${negative ? '-' : ''}$${text}`;
}

export function formatQuantity(value: Decimal): string {
  const [whole, fraction] = value.toFixed(value.lt(100) ? 4 : 2).split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return `${BigInt(whole).toLocaleString('en-US')}${trimmed ? `.${trimmed}` : ''}`;
}

/** Unit prices scaled to how AWS quotes them: per 1K transitions, per 1M requests, per GB-second, per 1M tokens. */
export function formatUnitPrice(item: Pick<LineItem, 'unitPrices' | 'unit' | 'priceUnit'>): string {
  if (item.unitPrices.length === 0) return '—';
  const scale = (usd: string): string => {
    const price = Decimal.parse(usd);
    const trim = (value: Decimal) => {
      const text = value.toString();
      return /\.\d$/.test(text) ? `${text}0` : text.includes('.') ? text : `${text}.00`;
    };
    if (item.unit === 'transitions') return `$${trim(price.mul(1000))}/1K`;
    if (item.unit === 'requests') return `$${trim(price.mul(1_000_000))}/1M`;
    if (item.unit === 'tokens') {
      const perToken = item.priceUnit === '1K tokens' ? price.mul(Decimal.ratio(1, 1000)) : item.priceUnit === '1M tokens' ? price.mul(Decimal.ratio(1, 1_000_000)) : price;
      return `$${trim(perToken.mul(1_000_000))}/1M`;
    }
    return `$${price.toString()}/${item.unit}`;
  };
  return item.unitPrices.map(scale).join(' → ');
}

export function describeSource(source: PriceSource): string {
  const date = source.date.slice(0, 10);
  const why = source.fallbackReason ? ` (${source.fallbackReason})` : '';
  switch (source.kind) {
    case 'api':
      return `${source.description}, read ${date}`;
    case 'cache':
      return `${source.description} ${date}${why}`;
    case 'snapshot':
      return `bundled price snapshot of ${date} — ${source.description}${why}`;
  }
}

const SERVICE_NAMES: Record<string, string> = {
  AmazonStates: 'Step Functions',
  AWSLambda: 'Lambda',
  AmazonBedrock: 'Bedrock',
  AmazonBedrockFoundationModels: 'Bedrock',
  AmazonCloudWatch: 'CloudWatch Logs',
};

function priceLines(sources: readonly PriceSource[]): string[] {
  const grouped = new Map<string, string[]>();
  for (const source of sources) {
    const text = source.empty ? `none in the ${describeSource(source)}` : describeSource(source);
    const names = grouped.get(text) ?? [];
    const name = SERVICE_NAMES[source.service] ?? source.service;
    if (!names.includes(name)) names.push(name);
    grouped.set(text, names);
  }
  return [...grouped].map(([text, names]) => `${names.join(', ')}: ${text}`);
}

function executionsLabel(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** The widest a cost table gets: a 100-column terminal, a pasted review comment. The name column gives way. */
export const TABLE_WIDTH = 100;

/**
 * Line items grouped under a heading line per service and kind
 * (`Lambda · Requests (x86_64)`), each row then naming only what it is for
 * (`validate-order`): the long part of the item is said once, so the table
 * fits TABLE_WIDTH with room for the names. A service whose items are for
 * fewer things than they have kinds (Bedrock: input and output tokens of one
 * model) is grouped the other way round, under the thing.
 */
function groupedItems(items: readonly LineItem[], total: Decimal, width: number): string[] {
  type Row = { label: string; item?: LineItem };
  const split = (item: LineItem) => {
    const cut = item.item.indexOf(' · ');
    return cut < 0 ? { kind: item.item, what: '' } : { kind: item.item.slice(0, cut), what: item.item.slice(cut + 3) };
  };
  const byResource = new Set<string>();
  for (const service of new Set(items.map((item) => item.service))) {
    const parts = items.filter((item) => item.service === service).map(split);
    if (new Set(parts.map((part) => part.what)).size < new Set(parts.map((part) => part.kind)).size) byResource.add(service);
  }
  const grouped = items.map((item) => {
    const { kind, what } = split(item);
    const flipped = byResource.has(item.service);
    return { item, heading: `${item.service} · ${flipped ? what : kind}`, label: `  ${flipped ? kind : what}` };
  });
  // A service's items stay where the service first comes; within it, each group's rows come together.
  const order = [...new Set(grouped.map((entry) => entry.heading))];
  const services = [...new Set(items.map((item) => item.service))];
  grouped.sort((a, b) => services.indexOf(a.item.service) - services.indexOf(b.item.service) || order.indexOf(a.heading) - order.indexOf(b.heading));
  const rows: Row[] = [];
  const headings = new Map<number, string>();
  for (const entry of grouped) {
    if (entry.heading !== grouped[rows.length - 1]?.heading) headings.set(rows.length, entry.heading);
    rows.push({ label: entry.label, item: entry.item });
  }
  rows.push({ label: paint.strong('Total') });
  const table = renderTable(
    rows,
    [
      { header: 'Line item', value: ({ label }) => label },
      { header: 'Usage', value: ({ item }) => (item?.usage ? `${formatQuantity(item.usage)} ${item.unit}` : ''), align: 'right' },
      { header: 'Unit price', value: ({ item }) => (item?.usage ? formatUnitPrice(item) : ''), align: 'right' },
      // The allowances themselves are listed under Assumptions; here, what they take off the bill.
      { header: 'Free tier', value: ({ item }) => (!item ? '' : item.freeTier.isZero() ? (item.usage ? '—' : '') : `-${formatUsd(item.freeTierValue)}`), align: 'right' },
      {
        header: 'Monthly',
        value: ({ item }) =>
          !item ? paint.strong(formatUsd(total)) : item.cost === null ? paint.warning(item.notPriced ? 'not priced' : 'not estimated') : formatUsd(item.cost),
        align: 'right',
      },
    ],
    { maxWidth: width, shrink: 0 },
  ).split('\n');
  const lines = [table[0]];
  table.slice(1).forEach((line, index) => {
    const heading = headings.get(index);
    if (heading !== undefined) lines.push(fitVisible(heading, width));
    lines.push(line);
  });
  return lines;
}

const signedUsd = (value: Decimal) => (value.isNegative() ? formatUsd(value) : `+${formatUsd(value)}`);

export function renderDiff(diff: CostDiff, columns?: number): string[] {
  const lines = wrapWords(`Change against ${diff.ref} (as declared): ${formatUsd(diff.total.before)} → ${formatUsd(diff.total.after)} a month, ${signedUsd(diff.total.delta)}`, columns).map(paint.strong);
  for (const machine of diff.machines) lines.push(...wrapWords(`  ${machine.name}: ${machine.summary}`, columns, '    '));
  if (diff.items.length > 0) {
    lines.push(
      renderTable(diff.items, [
        { header: 'Service', value: (row) => row.service },
        { header: 'Line item', value: (row) => row.item },
        { header: diff.ref, value: (row) => (row.before === null ? '—' : formatUsd(row.before)), align: 'right' },
        { header: 'now', value: (row) => (row.after === null ? '—' : formatUsd(row.after)), align: 'right' },
        { header: 'Change', value: (row) => signedUsd(row.delta), align: 'right' },
      ], { maxWidth: tableWidth(columns), shrink: 1 }),
    );
  }
  return lines;
}

function breakEvenText(row: Comparison): string {
  if (row.express === null) return 'n/a (Standard only)';
  if (row.cheaper === 'not priced') return 'not priced';
  // No break-even: the Cheaper column says which one wins at every volume.
  return row.breakEven === undefined ? 'none' : `${executionsLabel(row.breakEven)}/month`;
}

/** Where the free tier moves the break-even, said under the table (the column would not fit it). */
function breakEvenWithoutFreeTier(row: Comparison): string | undefined {
  if (row.express === null || row.cheaper === 'not priced' || row.breakEven === row.breakEvenWithoutFreeTier) return undefined;
  return `${row.machine}: break-even without the free tier ${row.breakEvenWithoutFreeTier === undefined ? 'none' : `${executionsLabel(row.breakEvenWithoutFreeTier)}/month`}`;
}

/** The widest a cost table is drawn on a terminal `columns` wide (none: not a terminal), never over TABLE_WIDTH. */
function tableWidth(columns: number | undefined): number {
  return Math.min(columns ?? TABLE_WIDTH, TABLE_WIDTH);
}

/**
 * The estimate as text. On a terminal (`columns` given) the prose around the
 * tables wraps at its spaces to the width, each item's lines after the first
 * indented under it; the tables fit the width up to TABLE_WIDTH, their name
 * column giving way. Not on a terminal: one line per item, as written.
 */
export function renderReport(report: CostReport, columns?: number): string {
  // Wrapped first, then painted: each line gets its own colour codes, so a wrapped one is coloured to its end.
  const prose = (text: string, indent = '    ', colour: (line: string) => string = (line) => line) => wrapWords(text, columns, indent).map(colour);
  const lines: string[] = [];
  const { estimate } = report;
  const count = report.machines.length;
  lines.push(...prose(`Monthly estimate · ${count} state machine${count === 1 ? '' : 's'} · ${report.region}`, '', paint.strong));
  for (const machine of report.machines) {
    const t = machine.transitionsPerExecution;
    const measured = machine.transitionsSource === 'measured' ? ` (measured over ${machine.measuredExecutions} executions)` : '';
    lines.push(
      ...prose(
        `  ${machine.name} (${machine.declaredType}, ${machine.file}): ${executionsLabel(machine.executionsPerMonth)} executions/month, ` +
          `transitions per execution min ${executionsLabel(t.min)} / expected ${executionsLabel(t.expected)} / max ${executionsLabel(t.max)}${measured}`,
      ),
    );
  }
  lines.push('');
  lines.push(paint.strong('Prices'));
  for (const line of priceLines(report.prices)) lines.push(...prose(`  ${line}`));

  for (const scenario of estimate.scenarios) {
    lines.push('');
    lines.push(paint.strong(`${scenario.label}${scenario.label === 'As declared' ? '' : ' workflows'}`));
    lines.push(...groupedItems(scenario.items, scenario.total, tableWidth(columns)));
    // Lines missing a price for the same reason (a machine's log ingestion and storage) are said together.
    const byReason = new Map<string, string[]>();
    for (const item of scenario.items) if (item.notPriced) byReason.set(item.notPriced, [...(byReason.get(item.notPriced) ?? []), item.item]);
    for (const [reason, names] of byReason) lines.push(...prose(`  not priced: ${names.join(', ')} — ${reason}; not included in the total`, undefined, paint.warning));
    const notEstimated = scenario.items.filter((item) => item.cost === null && !item.notPriced);
    if (notEstimated.length > 0) {
      lines.push(...prose(`  not estimated: ${notEstimated.map((item) => item.item.split(' · ')[0]).join(', ')} — priced by their own services, not included in the total`, undefined, paint.muted));
    }
  }

  lines.push('');
  lines.push(...prose('Standard vs Express (Step Functions charges only, free tier shared by the account; Lambda and Bedrock are the same either way)', '', paint.strong));
  const { totals } = estimate;
  const anyStandardNotPriced = estimate.comparisons.some((row) => row.standardNotPriced !== undefined);
  const anyExpressNotPriced = estimate.comparisons.some((row) => row.expressNotPriced !== undefined);
  const comparisonRows = [
    ...estimate.comparisons.map((row) => ({ row, total: false })),
    ...(estimate.comparisons.length > 1 ? [{ row: undefined, total: true }] : []),
  ];
  lines.push(
    renderTable(comparisonRows, [
      { header: 'Machine', value: ({ row }) => (row ? row.machine : paint.strong('Total')) },
      { header: 'Executions/month', value: ({ row }) => (row ? executionsLabel(row.executionsPerMonth) : ''), align: 'right' },
      { header: 'Standard', value: ({ row }) => (row ? row.standardNotPriced : anyStandardNotPriced) ? paint.warning('not priced') : formatUsd(row ? row.standard : totals.standardSfn), align: 'right' },
      {
        header: 'Express',
        value: ({ row }) =>
          row ? (row.express === null ? paint.warning('not possible') : row.expressNotPriced ? paint.warning('not priced') : formatUsd(row.express)) : anyExpressNotPriced ? paint.warning('not priced') : formatUsd(totals.expressSfn),
        align: 'right',
      },
      { header: 'Cheaper', value: ({ row }) => (row ? (row.cheaper === 'same' ? 'same' : row.cheaper === 'not priced' ? paint.warning('not priced') : paint.success(row.cheaper)) : '') },
      { header: 'Break-even', value: ({ row }) => (row ? breakEvenText(row) : '') },
    ], { maxWidth: tableWidth(columns), shrink: 0 }),
  );
  const difference = totals.standard.sub(totals.express);
  const blocked = estimate.comparisons.filter((row) => row.express === null).map((row) => row.machine);
  if (totals.cheaper === 'not priced') {
    lines.push(...prose(`  Whole project: Standard and Express not compared: the Step Functions charges are not priced in ${report.region} (see the not priced lines above)`, undefined, paint.warning));
  } else if (blocked.length > 0 && blocked.length === estimate.comparisons.length) {
    lines.push(...prose(`  Whole project: Standard ${formatUsd(totals.standard)} a month; Express not possible (${blocked.length === 1 ? 'its machine uses what Express cannot run: see the note below' : 'each machine uses what Express cannot run: see the notes below'})`));
  } else lines.push(
    ...prose(
      `  Whole project: Standard ${formatUsd(totals.standard)}, Express${blocked.length > 0 ? ` where possible (${blocked.join(', ')} stay Standard)` : ''} ${formatUsd(totals.express)} a month → ` +
        (totals.cheaper === 'same' ? 'the same' : `${totals.cheaper === 'STANDARD' ? 'Standard' : 'Express'} is cheaper by ${formatUsd(difference.isNegative() ? Decimal.ZERO.sub(difference) : difference)}`),
    ),
  );
  for (const comparison of estimate.comparisons) {
    const withoutFreeTier = breakEvenWithoutFreeTier(comparison);
    if (withoutFreeTier) lines.push(...prose(`  ${withoutFreeTier}`, undefined, paint.muted));
    for (const note of comparison.notes) lines.push(...prose(`  ${comparison.machine}: ${note}`, undefined, paint.warning));
    if (comparison.breakEvenNote) lines.push(...prose(`  ${comparison.machine}: break-even ${comparison.breakEvenNote}`, undefined, paint.muted));
  }

  if (report.diff) lines.push('', ...renderDiff(report.diff, columns));
  if (report.budget) {
    const { budget } = report;
    lines.push('');
    lines.push(
      ...(budget.over
        ? prose(`Over budget: ${formatUsd(budget.total)} a month is above ${formatUsd(budget.limit)} (${budget.source}) by ${formatUsd(budget.total.sub(budget.limit))}`, '  ', paint.failure)
        : prose(`Within budget: ${formatUsd(budget.total)} a month, ${formatUsd(budget.limit)} allowed (${budget.source})`, '  ', paint.success)),
    );
    // A verdict on a partial total says so: the lines without a price could take it over.
    if (budget.notPriced > 0) lines.push(...prose(`  judged on the priced lines only: ${budget.notPriced} line item(s) not priced are not in ${formatUsd(budget.total)}`, undefined, paint.warning));
  }

  if (report.assumptions.length > 0) {
    lines.push('');
    lines.push(paint.strong('Assumptions'));
    for (const assumption of report.assumptions) lines.push(...prose(`  - ${assumption}`));
  }
  if (report.warnings.length > 0) {
    lines.push('');
    lines.push(paint.strong('Warnings'));
    for (const warning of report.warnings) lines.push(...prose(`  - ${warning}`, undefined, paint.warning));
  }
  return lines.join('\n');
}

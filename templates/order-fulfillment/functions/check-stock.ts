// Looks up every order line in the warehouse stock. A real function would query
// a table; this one keeps a small catalogue so the sample runs anywhere.

const STOCK: Record<string, number> = {
  'BOOK-001': 25,
  'MUG-002': 40,
  'LAMP-003': 3,
  'CHAIR-004': 0,
};

export async function handler(event: { items: { sku: string; quantity: number }[] }) {
  const shortages = event.items
    .filter((line) => (STOCK[line.sku] ?? 0) < line.quantity)
    .map((line) => ({ sku: line.sku, wanted: line.quantity, inStock: STOCK[line.sku] ?? 0 }));
  return { available: shortages.length === 0, shortages };
}

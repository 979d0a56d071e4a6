// Opens a refund case for a damaged delivery. The order id must be a real one.

class InvalidRefundRequest extends Error {
  override name = 'InvalidRefundRequest';
}

export async function handler(event: { orderId?: string; reason?: string; text?: string }) {
  if (typeof event.orderId !== 'string' || !/^ORD-\d+$/.test(event.orderId)) {
    throw new InvalidRefundRequest(`cannot open a refund case without a valid orderId (got ${JSON.stringify(event.orderId ?? null)})`);
  }
  return {
    caseId: `RC-${event.orderId.slice(4)}`,
    orderId: event.orderId,
    reason: event.reason ?? 'OTHER',
    summary: String(event.text ?? '').slice(0, 120),
  };
}

// Reserves the ordered items so that no other order takes them meanwhile.
class ReservationFailed extends Error {
    name = 'ReservationFailed';
}
export async function handler(event) {
    if (!Array.isArray(event.items) || event.items.length === 0)
        throw new ReservationFailed('no items to reserve');
    return {
        reservationId: `res_${event.orderId}`,
        items: event.items.map((line) => ({ sku: line.sku, quantity: line.quantity })),
    };
}

// Checks an incoming order before anything is charged or reserved.
// A thrown error's `name` becomes the Step Functions error (here `InvalidOrder`).
class InvalidOrder extends Error {
    name = 'InvalidOrder';
}
export async function handler(event) {
    const problems = [];
    if (typeof event?.orderId !== 'string' || !/^ORD-\d+$/.test(event.orderId))
        problems.push('orderId must look like ORD-1234');
    if (!Array.isArray(event?.items) || event.items.length === 0)
        problems.push('an order needs at least one item');
    for (const [index, line] of (Array.isArray(event?.items) ? event.items : []).entries()) {
        if (typeof line.sku !== 'string' || line.sku === '')
            problems.push(`items[${index}].sku is missing`);
        if (!Number.isInteger(line.quantity) || line.quantity <= 0)
            problems.push(`items[${index}].quantity must be a positive whole number`);
        if (typeof line.unitPrice !== 'number' || line.unitPrice <= 0)
            problems.push(`items[${index}].unitPrice must be above 0`);
    }
    if (!event?.address?.postcode)
        problems.push('address.postcode is missing');
    const pickup = event?.pickupInSeconds;
    if (typeof pickup !== 'number' || pickup < 0 || pickup > 3600)
        problems.push('pickupInSeconds must be between 0 and 3600');
    if (problems.length > 0)
        throw new InvalidOrder(problems.join('; '));
    const total = event.items.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
    return { orderId: event.orderId, total: Math.round(total * 100) / 100 };
}

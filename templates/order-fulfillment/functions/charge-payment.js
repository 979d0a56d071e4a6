// Charges the customer's card. Card numbers are checked with the Luhn algorithm;
// the well-known test number 4000 0000 0000 0002 is always declined.
class PaymentDeclined extends Error {
    name = 'PaymentDeclined';
}
const DECLINED_TEST_CARD = '4000000000000002';
function passesLuhn(digits) {
    let sum = 0;
    for (let index = 0; index < digits.length; index += 1) {
        let digit = Number(digits[digits.length - 1 - index]);
        if (index % 2 === 1) {
            digit *= 2;
            if (digit > 9)
                digit -= 9;
        }
        sum += digit;
    }
    return sum % 10 === 0;
}
export async function handler(event) {
    const digits = String(event.card?.cardNumber ?? '').replace(/\s+/g, '');
    if (!/^\d{12,19}$/.test(digits) || !passesLuhn(digits))
        throw new PaymentDeclined('the card number is not valid');
    if (digits === DECLINED_TEST_CARD)
        throw new PaymentDeclined('the card issuer declined the charge');
    if (!(event.amount > 0))
        throw new PaymentDeclined('nothing to charge');
    return { chargeId: `ch_${event.orderId}`, amount: event.amount, last4: digits.slice(-4) };
}

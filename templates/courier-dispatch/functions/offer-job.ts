// Offers a delivery job to one courier. Couriers answer by their status: an
// available courier accepts, a busy one asks to be retried later, an off-duty or
// over-capacity one declines.

interface Courier {
  courierId?: string;
  status?: 'available' | 'busy' | 'off-duty';
  activeJobs?: number;
}

class CourierBusy extends Error {
  override name = 'CourierBusy';
}
class CourierDeclined extends Error {
  override name = 'CourierDeclined';
}
class InvalidOffer extends Error {
  override name = 'InvalidOffer';
}

const MAX_ACTIVE_JOBS = 3;

export async function handler(event: { orderId?: string; courier?: Courier; round?: number }) {
  const courier = event.courier;
  if (!event.orderId) throw new InvalidOffer('the offer has no orderId');
  if (!courier?.courierId) throw new InvalidOffer(`courier #${event.round ?? '?'} has no courierId`);
  if (courier.status === 'busy') throw new CourierBusy(`${courier.courierId} is busy, try again shortly`);
  if (courier.status !== 'available') throw new CourierDeclined(`${courier.courierId} is ${courier.status ?? 'not on shift'}`);
  if ((courier.activeJobs ?? 0) >= MAX_ACTIVE_JOBS) throw new CourierDeclined(`${courier.courierId} already has ${courier.activeJobs} jobs`);
  return { courierId: courier.courierId, etaMinutes: 10 + 5 * (courier.activeJobs ?? 0) };
}

// Computes a delivery route for one parcel: which hub it goes through and how far
// it travels. Parcels that no van can carry, or with an unknown destination, fail.

interface RouteRequest {
  parcel: { parcelId?: string; weightKg?: number; postcode?: string };
  position: number;
  depot?: string;
}

class UnroutableParcel extends Error {
  override name = 'UnroutableParcel';
}

const MAX_WEIGHT_KG = 30;
/** Postcode area (first digit) → regional hub and its distance from the depot in km. */
const HUBS: Record<string, { hub: string; km: number }> = {
  '1': { hub: 'NORTH', km: 12.4 },
  '2': { hub: 'NORTH', km: 18.9 },
  '3': { hub: 'EAST', km: 25.1 },
  '4': { hub: 'EAST', km: 31.7 },
  '5': { hub: 'SOUTH', km: 9.8 },
  '6': { hub: 'SOUTH', km: 14.2 },
  '7': { hub: 'WEST', km: 22.5 },
  '8': { hub: 'WEST', km: 27.3 },
};

export async function handler(event: RouteRequest) {
  const { parcel } = event;
  if (!parcel?.parcelId) throw new UnroutableParcel(`parcel #${event.position} has no parcelId`);
  if (typeof parcel.weightKg !== 'number' || parcel.weightKg <= 0) throw new UnroutableParcel(`${parcel.parcelId}: weightKg must be above 0`);
  if (parcel.weightKg > MAX_WEIGHT_KG) throw new UnroutableParcel(`${parcel.parcelId}: ${parcel.weightKg} kg is over the ${MAX_WEIGHT_KG} kg van limit`);
  const area = HUBS[String(parcel.postcode ?? '').charAt(0)];
  if (!area) throw new UnroutableParcel(`${parcel.parcelId}: no hub serves postcode "${parcel.postcode ?? ''}"`);
  return {
    parcelId: parcel.parcelId,
    routeId: `${event.depot ?? 'DEPOT'}-${area.hub}-${parcel.parcelId}`,
    hub: area.hub,
    distanceKm: area.km,
  };
}

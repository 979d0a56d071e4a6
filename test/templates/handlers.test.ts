import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { handler as validateOrder } from '../../templates/order-fulfillment/functions/validate-order.js';
import { handler as checkStock } from '../../templates/order-fulfillment/functions/check-stock.js';
import { handler as chargePayment } from '../../templates/order-fulfillment/functions/charge-payment.js';
import { handler as assignCourier } from '../../templates/order-fulfillment/functions/assign-courier.js';
import { handler as computeRoute } from '../../templates/parcel-routing/functions/compute-route.js';
import { handler as offerJob } from '../../templates/courier-dispatch/functions/offer-job.js';
import { handler as openRefundCase } from '../../templates/support-triage/functions/open-refund-case.js';

// These are the JavaScript handlers `init --language js` ships (types come from their
// TypeScript twins, which scaffold.test.ts keeps in sync). The tests follow each sample
// event through the handlers the way its state machine would, so that the samples
// fail or succeed by their data.

const event = (template: string, name: string) => JSON.parse(readFileSync(path.join(REPO_ROOT, 'templates', template, 'events', name), 'utf8'));

describe('order-fulfillment handlers', () => {
  it('take the good order all the way to a charge', async () => {
    const order = event('order-fulfillment', 'order-ok.json');
    const { total } = await validateOrder(order);
    expect(total).toBe(33);
    expect(await checkStock(order)).toEqual({ available: true, shortages: [] });
    await expect(chargePayment({ orderId: order.orderId, amount: total, card: order.payment })).resolves.toMatchObject({ amount: 33, last4: '4242' });
  });

  it('reject each failing sample at the step its name says', async () => {
    await expect(validateOrder(event('order-fulfillment', 'order-fail-invalid-quantity.json'))).rejects.toMatchObject({ name: 'InvalidOrder' });
    const outOfStock = event('order-fulfillment', 'order-fail-out-of-stock.json');
    expect((await checkStock(outOfStock)).available).toBe(false);
    const declined = event('order-fulfillment', 'order-fail-card-declined.json');
    const { total } = await validateOrder(declined);
    await expect(chargePayment({ orderId: declined.orderId, amount: total, card: declined.payment })).rejects.toMatchObject({ name: 'PaymentDeclined' });
  });

  describe('assign-courier answers its task token through the Step Functions API', () => {
    const saved = { ...process.env };
    afterEach(() => {
      process.env = { ...saved };
    });

    it('sends SendTaskSuccess to AWS_ENDPOINT_URL_SFN, as the emulator sets it', async () => {
      const calls: Array<{ target: string; body: Record<string, string> }> = [];
      const server = createServer(async (request: IncomingMessage, response) => {
        let body = '';
        for await (const chunk of request) body += chunk;
        calls.push({ target: String(request.headers['x-amz-target']), body: JSON.parse(body) });
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        Object.assign(process.env, {
          AWS_ENDPOINT_URL_SFN: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
        });
        const order = event('order-fulfillment', 'order-ok.json');
        await expect(assignCourier({ orderId: order.orderId, address: order.address, taskToken: 'token-1' })).resolves.toEqual({ assigned: true });
        await expect(assignCourier({ orderId: 'ORD-9', address: { postcode: 'X1' }, taskToken: 'token-2' })).resolves.toEqual({ assigned: false });
      } finally {
        server.close();
      }
      expect(calls[0].target).toBe('AWSStepFunctions.SendTaskSuccess');
      expect(calls[0].body.taskToken).toBe('token-1');
      expect(JSON.parse(calls[0].body.output)).toEqual({ courierId: 'C-17', name: 'Nadia', etaMinutes: 15 });
      expect(calls[1]).toMatchObject({ target: 'AWSStepFunctions.SendTaskFailure', body: { taskToken: 'token-2', error: 'NoCourierForZone' } });
    });
  });
});

describe('parcel-routing handler', () => {
  const route = async (name: string) => {
    const sample = event('parcel-routing', name);
    return Promise.allSettled(sample.parcels.map((parcel: unknown, position: number) => computeRoute({ parcel: parcel as never, position, depot: sample.depot })));
  };
  const failedShare = (results: PromiseSettledResult<unknown>[]) => (100 * results.filter((result) => result.status === 'rejected').length) / results.length;

  it('routes every parcel of the good sample', async () => {
    expect(failedShare(await route('parcels-ok.json'))).toBe(0);
  });

  it('keeps the one-unroutable sample under the 25 % tolerated failures and the failing one over it', async () => {
    expect(failedShare(await route('parcels-one-unroutable.json'))).toBeLessThan(25);
    expect(failedShare(await route('parcels-fail-too-many-unroutable.json'))).toBeGreaterThan(25);
  });
});

describe('courier-dispatch handler', () => {
  const outcomes = async (name: string) => {
    const sample = event('courier-dispatch', name);
    const results = [];
    for (const [index, courier] of sample.couriers.entries()) {
      results.push(await offerJob({ orderId: sample.orderId, courier, round: index + 1 }).then(() => 'accepted', (error: Error) => error.name));
    }
    return results;
  };

  it('finds a courier for the succeeding samples, after refusals and a busy one', async () => {
    expect(await outcomes('dispatch-ok.json')).toEqual(['CourierDeclined', 'CourierDeclined', 'accepted']);
    expect(await outcomes('dispatch-after-busy.json')).toEqual(['CourierBusy', 'accepted']);
  });

  it('finds nobody for the failing sample', async () => {
    expect(await outcomes('dispatch-fail-nobody-accepts.json')).toEqual(['CourierDeclined', 'CourierDeclined']);
  });
});

describe('support-triage handler', () => {
  it('opens a case for a real order and refuses an unknown one', async () => {
    await expect(openRefundCase({ ...event('support-triage', 'complaint-damaged.json').complaint, reason: 'DAMAGED' })).resolves.toMatchObject({ caseId: 'RC-4001' });
    await expect(openRefundCase(event('support-triage', 'complaint-fail-unknown-order.json').complaint)).rejects.toMatchObject({ name: 'InvalidRefundRequest' });
  });
});

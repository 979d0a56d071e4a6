// Picks a courier for the order's postcode and answers the waiting task token.
// The state machine waits (`.waitForTaskToken`) until SendTaskSuccess arrives; on AWS
// the same call goes to Step Functions, locally it goes to the deliv emulator
// (AWS_ENDPOINT_URL_SFN is set for handlers run by the emulator).
import { SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
const COURIERS = [
    { courierId: 'C-17', name: 'Nadia', zones: ['1', '2', '3'] },
    { courierId: 'C-42', name: 'Tomás', zones: ['4', '5', '6'] },
    { courierId: 'C-08', name: 'Kwame', zones: ['7', '8', '9', '0'] },
];
export async function handler(event) {
    const sfn = new SFNClient({});
    const zone = String(event.address?.postcode ?? '').trim().charAt(0);
    const courier = COURIERS.find((candidate) => candidate.zones.includes(zone));
    if (!courier) {
        await sfn.send(new SendTaskFailureCommand({
            taskToken: event.taskToken,
            error: 'NoCourierForZone',
            cause: `no courier serves postcodes starting with "${zone}"`,
        }));
        return { assigned: false };
    }
    const assignment = { courierId: courier.courierId, name: courier.name, etaMinutes: 15 };
    await sfn.send(new SendTaskSuccessCommand({ taskToken: event.taskToken, output: JSON.stringify(assignment) }));
    return { assigned: true };
}

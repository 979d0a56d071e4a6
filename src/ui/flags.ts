import { Flags } from '@oclif/core';

/** `--target/--region/--profile`, the same on every command that talks to Step Functions. */
export const targetFlags = {
  target: Flags.string({
    char: 't',
    description: 'target from deliv.yaml (`local` is the embedded emulator); default: defaultTarget, else local',
    helpGroup: 'TARGET',
  }),
  region: Flags.string({ description: 'AWS region (overrides the target and AWS_REGION)', helpGroup: 'TARGET' }),
  profile: Flags.string({ description: 'AWS profile from ~/.aws/config (overrides the target and AWS_PROFILE)', helpGroup: 'TARGET' }),
};

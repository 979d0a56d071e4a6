/**
 * Amazon States Language types, shared by the engine, the validator, graph and
 * cost. Field names are exactly the spec's. Values that may be JSONata
 * expressions (`"{% ... %}"`) are typed as `string` alternatives.
 */

export type QueryLanguage = 'JSONPath' | 'JSONata';
export type WorkflowType = 'STANDARD' | 'EXPRESS';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface StateMachineDefinition {
  Comment?: string;
  StartAt: string;
  States: Record<string, State>;
  Version?: string;
  TimeoutSeconds?: number;
  QueryLanguage?: QueryLanguage;
}

export type StateType = 'Pass' | 'Task' | 'Choice' | 'Wait' | 'Succeed' | 'Fail' | 'Parallel' | 'Map';

interface StateBase {
  Type: StateType;
  Comment?: string;
  QueryLanguage?: QueryLanguage;
  /** JSONPath only. */
  InputPath?: string | null;
  OutputPath?: string | null;
  /** JSONata only. */
  Output?: JsonValue;
  Assign?: JsonObject;
}

interface Transition {
  Next?: string;
  End?: boolean;
}

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
  Comment?: string;
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
  Output?: JsonValue;
  Assign?: JsonObject;
  Comment?: string;
}

export interface PassState extends StateBase, Transition {
  Type: 'Pass';
  Result?: JsonValue;
  ResultPath?: string | null;
  Parameters?: JsonValue;
}

export interface TaskState extends StateBase, Transition {
  Type: 'Task';
  Resource: string;
  Parameters?: JsonValue;
  Arguments?: JsonValue;
  ResultPath?: string | null;
  ResultSelector?: JsonValue;
  Retry?: Retrier[];
  Catch?: Catcher[];
  TimeoutSeconds?: number | string;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number | string;
  HeartbeatSecondsPath?: string;
  Credentials?: JsonValue;
}

export interface ChoiceRule {
  Variable?: string;
  And?: ChoiceRule[];
  Or?: ChoiceRule[];
  Not?: ChoiceRule;
  /** JSONata. */
  Condition?: string | boolean;
  Next?: string;
  Assign?: JsonObject;
  Output?: JsonValue;
  Comment?: string;
  [operator: string]: unknown;
}

export interface ChoiceState extends StateBase {
  Type: 'Choice';
  Choices: ChoiceRule[];
  Default?: string;
}

export interface WaitState extends StateBase, Transition {
  Type: 'Wait';
  Seconds?: number | string;
  Timestamp?: string;
  SecondsPath?: string;
  TimestampPath?: string;
}

export interface SucceedState extends StateBase {
  Type: 'Succeed';
}

export interface FailState extends StateBase {
  Type: 'Fail';
  Error?: string;
  Cause?: string;
  ErrorPath?: string;
  CausePath?: string;
}

export interface ProcessorConfig {
  Mode?: 'INLINE' | 'DISTRIBUTED';
  ExecutionType?: WorkflowType;
}

export interface SubMachine {
  Comment?: string;
  StartAt: string;
  States: Record<string, State>;
  QueryLanguage?: QueryLanguage;
  ProcessorConfig?: ProcessorConfig;
}

export interface ParallelState extends StateBase, Transition {
  Type: 'Parallel';
  Branches: SubMachine[];
  Parameters?: JsonValue;
  Arguments?: JsonValue;
  ResultPath?: string | null;
  ResultSelector?: JsonValue;
  Retry?: Retrier[];
  Catch?: Catcher[];
}

export interface ItemReader {
  Resource: string;
  Parameters?: JsonValue;
  Arguments?: JsonValue;
  ReaderConfig?: {
    InputType?: 'CSV' | 'JSON' | 'JSONL' | 'MANIFEST' | 'PARQUET';
    CSVHeaderLocation?: 'FIRST_ROW' | 'GIVEN';
    CSVHeaders?: string[];
    CSVDelimiter?: string;
    MaxItems?: number | string;
    MaxItemsPath?: string;
  };
}

export interface ItemBatcher {
  MaxItemsPerBatch?: number | string;
  MaxItemsPerBatchPath?: string;
  MaxInputBytesPerBatch?: number | string;
  MaxInputBytesPerBatchPath?: string;
  BatchInput?: JsonValue;
}

export interface MapState extends StateBase, Transition {
  Type: 'Map';
  ItemProcessor?: SubMachine;
  /** Legacy name of ItemProcessor. */
  Iterator?: SubMachine;
  ItemsPath?: string;
  Items?: JsonValue;
  ItemSelector?: JsonValue;
  /** Legacy name of ItemSelector. */
  Parameters?: JsonValue;
  ItemReader?: ItemReader;
  ItemBatcher?: ItemBatcher;
  ResultWriter?: JsonValue;
  MaxConcurrency?: number | string;
  MaxConcurrencyPath?: string;
  ToleratedFailurePercentage?: number | string;
  ToleratedFailurePercentagePath?: string;
  ToleratedFailureCount?: number | string;
  ToleratedFailureCountPath?: string;
  Label?: string;
  ResultPath?: string | null;
  ResultSelector?: JsonValue;
  Retry?: Retrier[];
  Catch?: Catcher[];
}

export type State = PassState | TaskState | ChoiceState | WaitState | SucceedState | FailState | ParallelState | MapState;

/** Where a state sits in a definition: `["Charge", "Branches", 0, "States", "Pay"]`-style path from the root. */
export type DefinitionPath = ReadonlyArray<string | number>;

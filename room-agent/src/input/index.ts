export {
  InputGate,
  type InputGateOptions,
  type InputGateHeldState,
  type InputDetachCause,
  type InputFlowState,
} from './input-gate.js';
export type { HeldInputSnapshot } from './held-input.js';
export { decodeClientCutText } from './rfb-messages.js';

/**
 * The little of a pino logger the fan-out uses: the room agent and the dashboard hand in their own
 * (pino) loggers, and this package depends on neither process.
 */
export interface FanoutLogger {
  child(bindings: Record<string, unknown>): FanoutLogger;
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

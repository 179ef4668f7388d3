// What the dashboard uses of the agent: the agent's settings (it builds each room's values from them)
// and the settings machinery both processes share.
export { AGENT_SETTINGS, LOG_LEVELS, type AgentSettingName } from './agent-settings.js';
export * from './define-settings.js';
export * from './settings-table.js';
export { appCommandProblem, appEnvProblem, parseAppCommand, parseAppEnv } from './app-json.js';

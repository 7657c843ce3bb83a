export type { InitialCredentials } from './credentials.js';
export { readInitialCredentials } from './credentials.js';
export type { RunDemoOptions, RunDemoResult } from './run-demo.js';
export { DEMO_AGENT, planDemo, runDemo } from './run-demo.js';
export type { ScenarioName, ScenarioOutcome } from './support-agent.js';

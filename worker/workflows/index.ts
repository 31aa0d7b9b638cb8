// The workflow bundle's entry: every workflow the worker registers.
export { HealthCheckWorkflow } from './health.workflow';

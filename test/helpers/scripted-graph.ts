// The workflow tests' Graph is the flow-testing harness's simulated Graph (src/flow-testing).
export { SimulatedGraph as ScriptedGraph } from '../../src/flow-testing/simulated-graph.js';

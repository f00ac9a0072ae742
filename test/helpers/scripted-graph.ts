// The workflow tests' Graph is the flow-testing harness's simulated Graph (devkit/flow-testing).
export { SimulatedGraph as ScriptedGraph } from '../../devkit/flow-testing/simulated-graph.js';

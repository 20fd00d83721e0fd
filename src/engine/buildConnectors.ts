import type { Clock } from '../clock.js';
import type { GatewayConfig } from '../config.js';
import { CHANNELS, type Channel } from '../domain/channels.js';
import type { Connector } from '../connectors/connector.js';
import { createSimulatorConnector } from '../connectors/simulator/simulatorConnector.js';

/** One connector instance per configured name, shared by the channels that use it. */
export function buildConnectors(config: GatewayConfig, clock: Clock): Map<Channel, Connector> {
  const instances = new Map<string, Connector>();
  const instance = (name: GatewayConfig['channels'][Channel]['connector']): Connector => {
    let connector = instances.get(name);
    if (!connector) {
      connector = createSimulatorConnector({ ...config.simulator, clock });
      instances.set(name, connector);
    }
    return connector;
  };
  return new Map(CHANNELS.map((channel) => [channel, instance(config.channels[channel].connector)]));
}

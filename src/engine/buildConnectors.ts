import type { Clock } from '../clock.js';
import type { ConnectorName, GatewayConfig } from '../config.js';
import { CHANNELS, type Channel } from '../domain/channels.js';
import type { Connector } from '../connectors/connector.js';
import { createSimulatorConnector } from '../connectors/simulator/simulatorConnector.js';
import { createSipConnector } from '../connectors/sip/sipConnector.js';
import { createSmppConnector } from '../connectors/smpp/smppConnector.js';
import { createVkConnector } from '../connectors/vk/vkConnector.js';
import type { VkStateView } from '../connectors/vk/vkState.js';
import { createWhatsAppConnector, type WhatsAppStateView } from '../connectors/whatsapp/whatsappConnector.js';

/** One connector instance per configured name, shared by the channels that use it. */
export function buildConnectors(
  config: GatewayConfig,
  clock: Clock,
  logger?: { info(detail: object, message: string): void; warn(detail: object, message: string): void; error(detail: object, message: string): void },
  /** The shared state of the platforms' connectors (the store's `whatsapp` and `vk`). */
  platformState: { whatsapp?: WhatsAppStateView; vk?: VkStateView } = {},
): Map<Channel, Connector> {
  const instances = new Map<ConnectorName, Connector>();
  const create = (name: ConnectorName): Connector => {
    switch (name) {
      case 'simulator':
        return createSimulatorConnector({ ...config.simulator, clock });
      case 'whatsapp':
        if (!platformState.whatsapp) throw new Error('the whatsapp connector needs the WhatsApp state');
        return createWhatsAppConnector({ config: config.whatsapp, state: platformState.whatsapp, clock, ...(logger ? { logger } : {}) });
      case 'vk':
        if (!platformState.vk) throw new Error('the vk connector needs the VK state');
        return createVkConnector({ config: config.vk, state: platformState.vk, clock, ...(logger ? { logger } : {}) });
      case 'sip':
        return createSipConnector({ sip: config.sip, voice: config.voice, clock, ...(logger ? { logger } : {}) });
      default: {
        const smsc = config.smpp.smscs.find((s) => `smpp:${s.name}` === name);
        if (!smsc) throw new Error(`no SMSC named ${name}`);
        return createSmppConnector(smsc, { clock, ...(logger ? { logger } : {}) });
      }
    }
  };
  const instance = (name: ConnectorName): Connector => {
    let connector = instances.get(name);
    if (!connector) instances.set(name, (connector = create(name)));
    return connector;
  };
  return new Map(CHANNELS.map((channel) => [channel, instance(config.channels[channel].connector)]));
}

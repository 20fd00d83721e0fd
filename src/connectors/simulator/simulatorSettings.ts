/** The `simulator` settings (README "Settings", docs/simulator.md): how long its reports take. */
import { integer, section } from '../../config/settingTypes.js';
import type { SettingsSection } from '../../config/section.js';
import { SIMULATOR_DEFAULTS } from './simulatorConnector.js';

const SIMULATOR_SETTINGS = section(
  {
    deliveryDelayMs: integer({ minimum: 0, default: SIMULATOR_DEFAULTS.deliveryDelayMs, description: 'From hand-off to the delivery report ([Simulator](#simulator)).' }),
    slowDelayMs: integer({ minimum: 0, default: SIMULATOR_DEFAULTS.slowDelayMs, description: 'Same, for the slow number `…2004`.' }),
    readDelayMs: integer({ minimum: 0, default: SIMULATOR_DEFAULTS.readDelayMs, description: 'From delivery to the read report or the click.' }),
  },
  'The simulator connector: deterministic outcomes by destination.',
);

export const SIMULATOR_SECTION: SettingsSection<typeof SIMULATOR_SETTINGS> = { schema: SIMULATOR_SETTINGS, checks: [] };

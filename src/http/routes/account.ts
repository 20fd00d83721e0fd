import type { FastifyInstance } from 'fastify';
import { availableBalance } from '../../domain/account.js';
import { unitsToNumber } from '../../domain/money.js';
import type { AppDeps } from '../appDeps.js';
import { authErrors, BalanceSchema, StatusOkSchema } from '../schemas.js';

const anyKey = { keyTypes: 'any' } as const;

/** `/balance` and `/ping` (spec §10, §4): any key type. */
export async function accountRoutes(api: FastifyInstance, { store }: AppDeps): Promise<void> {
  api.get(
    '/balance',
    { config: { auth: anyKey }, schema: { summary: 'Available balance', response: { 200: BalanceSchema, ...authErrors } } },
    async (request) => {
      const account = await store.accounts.byId(request.principal.accountId);
      if (!account || !account.billingEnabled) return {};
      return { [account.currency]: unitsToNumber(availableBalance(account)) };
    },
  );

  api.get(
    '/ping',
    { config: { auth: anyKey }, schema: { summary: 'Connection check', response: { 200: StatusOkSchema, ...authErrors } } },
    async () => ({ status: 'ok' }),
  );
}

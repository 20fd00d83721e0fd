import type { Units } from './money.js';

/** What the platform charges for, as its webhooks name it (`pricing.category`) and templates declare it. */
export const PRICING_CATEGORIES = ['authentication', 'marketing', 'utility', 'service'] as const;
export type PricingCategory = (typeof PRICING_CATEGORIES)[number];

export type CategoryPrices = Record<PricingCategory, Units>;

/** Prices per category, with other prices for some destination countries (ISO 3166-1 alpha-2). */
export interface WhatsAppPriceTable {
  standard: CategoryPrices;
  byCountry: Record<string, Partial<CategoryPrices>>;
}

/** `authentication_international` and the like are priced as their category; anything unknown as `service`. */
export function pricingCategoryOf(name: string | null | undefined): PricingCategory {
  const lower = (name ?? '').toLowerCase();
  return PRICING_CATEGORIES.find((category) => lower === category || lower.startsWith(`${category}_`)) ?? 'service';
}

/**
 * The price of one WhatsApp message (spec §6.4 Price): by its category and the destination's country; free when the
 * platform says it does not bill it (`billable: false`, or a `free_customer_service` / `free_entry_point` type).
 */
export function whatsappPrice(
  table: WhatsAppPriceTable,
  category: PricingCategory,
  country: string | null,
  billing: { billable?: boolean | undefined; type?: string | undefined } = {},
): Units {
  if (billing.billable === false || (billing.type !== undefined && billing.type.startsWith('free_'))) return 0;
  return (country === null ? undefined : table.byCountry[country]?.[category]) ?? table.standard[category];
}

// Costs in words, the same on the server (the presenter's computed `estimatedCost`) and in the
// browser (the page and the exports). No imports: client bundles load it without zod.

type Money = { amount: number; currency: string };

/** "€15", "€12.50", "¥1,500", "CHF 12", "Free" for 0 (a cost with its currency). */
export function formatMoney({ amount, currency }: Money): string {
  if (amount === 0) return "Free";
  const fractionDigits = Number.isInteger(amount) ? 0 : 2;
  const text = new Intl.NumberFormat("en", { style: "currency", currency, minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits }).format(amount);
  // Plain spaces ("CHF 12"): which narrow or no-break space ICU puts there varies by version.
  return text.replace(/[\u00a0\u2009\u202f]/g, " ");
}

/** "€15 per person", or "Free". */
export const formatPerPerson = (money: Money) => (money.amount === 0 ? "Free" : `${formatMoney(money)} per person`);

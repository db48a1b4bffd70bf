import type { Budget, Money } from "@/lib/domain/trip";

// What things cost in the demo: a price set in US dollars at a moderate budget, scaled by the
// traveller's budget and the country's price level, converted into the local currency at a
// rough rate and rounded the way people quote prices.

/** Rough units of each currency per US dollar: enough to put prices in the right range. */
const UNITS_PER_USD: Record<string, number> = Object.fromEntries(
  `AED 3.67 AFN 70 ALL 90 AMD 390 ANG 1.79 AOA 910 ARS 1200 AUD 1.52 AWG 1.79 AZN 1.7 BAM 1.7
  BBD 2 BDT 122 BGN 1.7 BHD 0.376 BIF 2950 BMD 1 BND 1.3 BOB 6.9 BRL 5.5 BSD 1 BTN 86 BWP 13.5
  BYN 3.2 BZD 2 CAD 1.37 CDF 2850 CHF 0.8 CLP 950 CNY 7.2 COP 4100 CRC 505 CUP 24 CVE 95 CZK 21.5
  DJF 178 DKK 6.4 DOP 60 DZD 130 EGP 49 ERN 15 ETB 135 EUR 0.86 FJD 2.25 FKP 0.74 GBP 0.74
  GEL 2.7 GHS 10.5 GIP 0.74 GMD 72 GNF 8650 GTQ 7.7 GYD 209 HKD 7.8 HNL 26 HTG 131 HUF 345
  IDR 16300 ILS 3.4 INR 86 IQD 1310 IRR 42000 ISK 122 JMD 160 JOD 0.709 JPY 147 KES 129 KGS 87
  KHR 4000 KMF 425 KPW 900 KRW 1380 KWD 0.305 KYD 0.83 KZT 520 LAK 21600 LBP 89500 LKR 300
  LRD 200 LSL 17.8 LYD 5.4 MAD 9 MDL 17 MGA 4450 MKD 53 MMK 2100 MNT 3580 MOP 8.05 MRU 40
  MUR 45.5 MVR 15.4 MWK 1735 MXN 18.7 MYR 4.22 MZN 64 NAD 17.8 NGN 1530 NIO 36.8 NOK 10.1
  NPR 138 NZD 1.68 OMR 0.385 PAB 1 PEN 3.55 PGK 4.1 PHP 57 PKR 283 PLN 3.65 PYG 7900 QAR 3.64
  RON 4.35 RSD 100 RUB 79 RWF 1440 SAR 3.75 SBD 8.3 SCR 14.5 SDG 600 SEK 9.6 SGD 1.28 SHP 0.74
  SLE 22.7 SOS 571 SRD 37 SSP 4500 STN 21 SYP 13000 SZL 17.8 THB 32.5 TJS 9.6 TMT 3.5 TND 2.9
  TOP 2.35 TRY 40 TTD 6.8 TWD 30 TZS 2600 UAH 41.5 UGX 3580 USD 1 UYU 40 UZS 12600 VES 120
  VND 26000 VUV 120 WST 2.75 XAF 565 XCD 2.7 XCG 1.79 XOF 565 XPF 102 YER 240 ZAR 17.8 ZMW 23.5
  ZWG 27`
    .trim()
    .split(/\s+/)
    .reduce<Array<[string, number]>>((pairs, token, index, tokens) => (index % 2 === 0 ? [...pairs, [token, Number(tokens[index + 1])]] : pairs), []),
);

/** Where a day out costs clearly less (or more) than in a US or western European city. */
const PRICE_LEVEL_LOW = new Set(
  "AFN AMD AOA ARS BDT BIF BOB BTN CDF COP CUP DZD EGP ETB GEL GHS GMD GNF HNL HTG IDR INR IRR KES KGS KHR KZT LAK LKR MAD MGA MMK MNT MWK MZN NGN NPR PKR PYG RWF SDG SOS SYP TJS TZS UAH UGX UZS VES VND YER ZMW".split(" "),
);
const PRICE_LEVEL_MIDDLE = new Set(
  "ALL AZN BAM BGN BRL BYN CLP CNY CRC DOP GTQ HUF JOD LBP MDL MKD MXN MYR PEN PHP PLN RON RSD RUB THB TND TRY TWD UYU ZAR".split(" "),
);
const PRICE_LEVEL_HIGH = new Set(["CHF", "NOK", "ISK", "DKK"]);

/** Whether we know roughly what a currency is worth (tests hold every gazetteer country to it). */
export const hasExchangeRate = (currency: string) => Object.hasOwn(UNITS_PER_USD, currency);

function priceLevel(currency: string): number {
  if (PRICE_LEVEL_LOW.has(currency)) return 0.45;
  if (PRICE_LEVEL_MIDDLE.has(currency)) return 0.7;
  if (PRICE_LEVEL_HIGH.has(currency)) return 1.3;
  return 1;
}

/** How much more a luxury traveller spends on the same outing than a budget one. */
const ACTIVITY_BUDGET_FACTOR: Record<Budget, number> = { budget: 0.7, moderate: 1, luxury: 1.7 };

/** Two significant figures (and halves under ten): "¥1,500", "€23", "€8.50". */
function roughly(amount: number): number {
  if (amount <= 0) return 0;
  if (amount < 1) return Math.max(0.1, Math.round(amount * 10) / 10);
  if (amount < 10) return Math.round(amount * 2) / 2;
  const step = 10 ** Math.max(0, Math.floor(Math.log10(amount)) - 1);
  return Math.round(amount / step) * step;
}

/** A price set in US dollars, for one person, in `currency` at `budget`. */
export function localPrice(usd: number, currency: string, budget: Budget, { isMeal = false } = {}): Money {
  const rate = hasExchangeRate(currency) ? UNITS_PER_USD[currency]! : 1;
  const factor = isMeal ? 1 : ACTIVITY_BUDGET_FACTOR[budget];
  return { amount: roughly(usd * factor * priceLevel(currency) * rate), currency };
}

/** The currency's English name, e.g. "Japanese yen", or its code when the runtime has none. */
export function currencyName(currency: string): string {
  const name = new Intl.DisplayNames("en", { type: "currency", fallback: "code" }).of(currency) ?? currency;
  return name === currency ? currency : name.replace(/\b([A-Z])([a-z]+)$/u, (_, first: string, rest: string) => `${first.toLowerCase()}${rest}`);
}

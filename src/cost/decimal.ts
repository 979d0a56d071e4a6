/**
 * Exact decimal arithmetic for money: a BigInt count of 10^-scale units.
 * Prices from the Pricing API are decimal strings ("0.0000166667") and usage
 * is whole units or exact fractions with power-of-2/5 denominators (MB/1024,
 * ms/1000), so every product and sum stays exact; rounding happens only when
 * a value is formatted for display.
 */
export class Decimal {
  private constructor(
    readonly units: bigint,
    readonly scale: number,
  ) {}

  static readonly ZERO = new Decimal(0n, 0);

  static of(value: string | number | bigint | Decimal): Decimal {
    if (value instanceof Decimal) return value;
    if (typeof value === 'bigint') return new Decimal(value, 0);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
      if (Number.isInteger(value)) return new Decimal(BigInt(value), 0);
      // Only for inputs typed by people (0.95, 2.5): their shortest decimal form is what they meant.
      return Decimal.parse(String(value));
    }
    return Decimal.parse(value);
  }

  static parse(text: string): Decimal {
    const match = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
    if (!match || (match[2] === '' && (match[3] ?? '') === '')) throw new RangeError(`not a decimal number: ${JSON.stringify(text)}`);
    const [, sign, whole, fraction = '', exponentText] = match;
    const exponent = exponentText ? Number(exponentText) : 0;
    let units = BigInt(`${whole || '0'}${fraction}`);
    let scale = fraction.length - exponent;
    if (scale < 0) {
      units *= 10n ** BigInt(-scale);
      scale = 0;
    }
    return new Decimal(sign === '-' ? -units : units, scale).normalized();
  }

  /**
   * numerator / denominator, exactly: the denominator may only have the prime
   * factors 2 and 5 (1024 MB per GB, 1000 ms per second, 10^6 tokens).
   */
  static ratio(numerator: bigint | number, denominator: bigint | number): Decimal {
    let rest = BigInt(denominator);
    if (rest <= 0n) throw new RangeError('denominator must be positive');
    let twos = 0;
    let fives = 0;
    while (rest % 2n === 0n) {
      rest /= 2n;
      twos++;
    }
    while (rest % 5n === 0n) {
      rest /= 5n;
      fives++;
    }
    if (rest !== 1n) throw new RangeError(`1/${denominator} has no exact decimal form`);
    const scale = Math.max(twos, fives);
    const factor = 2n ** BigInt(scale - twos) * 5n ** BigInt(scale - fives);
    return new Decimal(BigInt(numerator) * factor, scale).normalized();
  }

  private normalized(): Decimal {
    let { units, scale } = this;
    while (scale > 0 && units % 10n === 0n) {
      units /= 10n;
      scale--;
    }
    return scale === this.scale ? this : new Decimal(units, scale);
  }

  private aligned(other: Decimal): [bigint, bigint, number] {
    const scale = Math.max(this.scale, other.scale);
    return [this.units * 10n ** BigInt(scale - this.scale), other.units * 10n ** BigInt(scale - other.scale), scale];
  }

  add(other: Decimal | string | number | bigint): Decimal {
    const [a, b, scale] = this.aligned(Decimal.of(other));
    return new Decimal(a + b, scale).normalized();
  }

  sub(other: Decimal | string | number | bigint): Decimal {
    const [a, b, scale] = this.aligned(Decimal.of(other));
    return new Decimal(a - b, scale).normalized();
  }

  mul(other: Decimal | string | number | bigint): Decimal {
    const o = Decimal.of(other);
    return new Decimal(this.units * o.units, this.scale + o.scale).normalized();
  }

  cmp(other: Decimal | string | number | bigint): -1 | 0 | 1 {
    const [a, b] = this.aligned(Decimal.of(other));
    return a < b ? -1 : a > b ? 1 : 0;
  }

  lt(other: Decimal | string | number | bigint): boolean {
    return this.cmp(other) < 0;
  }

  gt(other: Decimal | string | number | bigint): boolean {
    return this.cmp(other) > 0;
  }

  eq(other: Decimal | string | number | bigint): boolean {
    return this.cmp(other) === 0;
  }

  isZero(): boolean {
    return this.units === 0n;
  }

  isNegative(): boolean {
    return this.units < 0n;
  }

  static min(a: Decimal, b: Decimal): Decimal {
    return a.cmp(b) <= 0 ? a : b;
  }

  static max(a: Decimal, b: Decimal): Decimal {
    return a.cmp(b) >= 0 ? a : b;
  }

  /** The smallest integer not below this value (usage billed in whole units). */
  ceil(): Decimal {
    if (this.scale === 0) return this;
    const factor = 10n ** BigInt(this.scale);
    let whole = this.units / factor;
    if (this.units > 0n && this.units % factor !== 0n) whole += 1n;
    return new Decimal(whole, 0);
  }

  /** Rounded half away from zero to `places` decimals, as a string with exactly that many. */
  toFixed(places: number): string {
    const factor = 10n ** BigInt(Math.max(0, this.scale - places));
    let rounded: bigint;
    if (this.scale <= places) {
      rounded = this.units * 10n ** BigInt(places - this.scale);
    } else {
      const negative = this.units < 0n;
      const magnitude = negative ? -this.units : this.units;
      rounded = (magnitude + factor / 2n) / factor;
      if (negative) rounded = -rounded;
    }
    const negative = rounded < 0n;
    const digits = (negative ? -rounded : rounded).toString().padStart(places + 1, '0');
    const text = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
    return negative ? `-${text}` : text;
  }

  /** The exact value, shortest form ("0.000025", "12", "-3.5"). */
  toString(): string {
    if (this.scale === 0) return this.units.toString();
    return this.toFixed(this.scale);
  }

  toJSON(): string {
    return this.toString();
  }

  /** For charts and rough comparisons only; never for money that is shown or summed. */
  toNumber(): number {
    return Number(this.toString());
  }
}

/**
 * A token bucket per tenant, like Graph's write quota: `perSecond` tokens flow in, at most
 * `burst` are saved up, and a write without a token is told how long to wait.
 */
const EPSILON = 1e-6;

export class WriteQuota {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number = perSecond,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes a token for the key: 0 when granted, else the milliseconds until one is there. */
  take(key: string): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) * this.perSecond) / 1000);
    bucket.at = now;
    this.buckets.set(key, bucket);
    // The tolerance keeps float dust from refusing a client that waited exactly as told.
    if (bucket.tokens >= 1 - EPSILON) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 1000) / this.perSecond - EPSILON));
  }
}

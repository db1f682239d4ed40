/**
 * Where STS lives. The login request never names a host: the operator configures an allow-list of STS
 * origins keyed by region, and each identity may pick one key. Everything else is refused (SSRF).
 */

export const GLOBAL_STS_REGION = 'global';

/** Regions with a regional STS endpoint `https://sts.<region>.aliyuncs.com`. */
export const KNOWN_STS_REGIONS = [
  'cn-hangzhou',
  'cn-shanghai',
  'cn-qingdao',
  'cn-beijing',
  'cn-zhangjiakou',
  'cn-huhehaote',
  'cn-wulanchabu',
  'cn-shenzhen',
  'cn-heyuan',
  'cn-guangzhou',
  'cn-chengdu',
  'cn-hongkong',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-southeast-1',
  'ap-southeast-3',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'us-east-1',
  'us-west-1',
  'eu-west-1',
  'eu-central-1',
  'me-east-1',
  'me-central-1',
] as const;

/** The default allow-list: the global endpoint plus every known regional one. */
export const DEFAULT_STS_ENDPOINTS: Readonly<Record<string, string>> = Object.freeze({
  [GLOBAL_STS_REGION]: 'https://sts.aliyuncs.com',
  ...Object.fromEntries(KNOWN_STS_REGIONS.map((r) => [r, `https://sts.${r}.aliyuncs.com`])),
});

const REGION_KEY = /^[a-z0-9][a-z0-9-]{0,62}$/;
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Checks an operator-supplied allow-list and reduces each entry to its origin. Throws (at startup, not at
 * login) on anything that is not a bare origin, or that is plain http to a non-loopback host.
 */
export function normaliseStsEndpoints(endpoints: Readonly<Record<string, string>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [region, value] of Object.entries(endpoints)) {
    if (!REGION_KEY.test(region)) throw new Error(`alicloud: invalid STS region key ${JSON.stringify(region)}`);
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new Error(`alicloud: STS endpoint for ${region} is not a URL`);
    }
    const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
    if (!bare) throw new Error(`alicloud: STS endpoint for ${region} must be an origin (scheme://host[:port]) only`);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
      throw new Error(`alicloud: STS endpoint for ${region} must use https (plain http only for loopback test servers)`);
    }
    out.set(region, url.origin);
  }
  if (out.size === 0) throw new Error('alicloud: the STS endpoint allow-list is empty');
  return out;
}

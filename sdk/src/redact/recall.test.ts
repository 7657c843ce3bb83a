import { describe, expect, it } from 'vitest';
import { createRedactor } from './index.js';

const r = createRedactor({ key: 'recall-key' });

let seed = 20240601;
function rand(): number {
  seed = (seed * 48271) % 2147483647;
  return seed / 2147483647;
}
function chars(alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}
const HEX = '0123456789abcdef';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

function leaks(text: string, value: string): boolean {
  return r.redactString(text).text.includes(value);
}

describe('provider formats recognised on their own', () => {
  const cases: [string, () => string][] = [
    ['Adobe client secret', () => `p8e-${chars(ALNUM, 32)}`],
    ['Facebook page token', () => `EAAC${chars(ALNUM, 120)}`],
    ['Notion token', () => `ntn_${chars('0123456789', 11)}${chars(ALNUM, 35)}`],
    ['Sourcegraph token', () => `sgp_${chars(HEX, 16)}_${chars(HEX, 40)}`],
    ['Sourcegraph local token', () => `sgp_local_${chars(HEX, 40)}`],
    ['Doppler token', () => `dp.pt.${chars(ALNUM, 43)}`],
    ['Dynatrace token', () => `dt0c01.${chars(ALNUM.toUpperCase(), 24)}.${chars(ALNUM, 64)}`],
    ['Mapbox token', () => `pk.eyJ1${chars(ALNUM, 40)}.${chars(ALNUM, 22)}`],
    ['Groq key', () => `gsk_${chars(ALNUM, 48)}`],
    ['Groq key, 52 characters', () => `gsk_${chars(ALNUM, 52)}`],
    ['Docker Hub token', () => `dckr_pat_${chars(`${ALNUM}_-`, 27)}`],
    ['Figma token', () => `figd_${chars(`${ALNUM}_-`, 40)}`],
    ['Supabase token', () => `sbp_${chars(HEX, 40)}`],
    ['Bitbucket app password', () => `ATBB${chars(ALNUM, 32)}`],
    ['Tailscale key', () => `tskey-auth-${chars(ALNUM, 12)}-${chars(ALNUM, 30)}`],
    ['OpenRouter key', () => `sk-or-v1-${chars(HEX, 64)}`],
    ['Buildkite token', () => `bkua_${chars(HEX, 40)}`],
    ['Contentful token', () => `CFPAT-${chars(`${ALNUM}_-`, 43)}`],
    ['NVIDIA key', () => `nvapi-${chars(`${ALNUM}_-`, 64)}`],
    [
      'Discord bot token',
      () =>
        `${Buffer.from(`1${chars('0123456789', 17)}`).toString('base64url')}.${chars(ALNUM, 6)}.${chars(`${ALNUM}_-`, 38)}`,
    ],
    ['Linear key', () => `lin_api_${chars(ALNUM, 40)}`],
    ['Databricks token', () => `dapi${chars(HEX, 32)}`],
    ['Vault token', () => `hvs.${chars(`${ALNUM}_-`, 95)}`],
    [
      'Microsoft Teams webhook',
      () =>
        `https://acme.webhook.office.com/webhookb2/${uuid()}@${uuid()}/IncomingWebhook/${chars(LOWER_ALNUM, 32)}/${uuid()}`,
    ],
  ];
  for (const [name, make] of cases) {
    it(name, () => {
      for (let i = 0; i < 20; i++) {
        const v = make();
        expect(leaks(`log: sent ${v} to upstream`, v), v).toBe(false);
        expect(leaks(JSON.stringify({ note: v }), v), v).toBe(false);
      }
    });
  }

  it('a value paired with a secret name in JSON (`{"name": …, "value": …}`)', () => {
    const v = chars(ALNUM, 30);
    const out = r.redactString(
      JSON.stringify({
        env: [
          { name: 'DEPLOY_API_TOKEN', value: v },
          { name: 'REGION', value: 'eu-west-1' },
        ],
      }),
    );
    expect(out.text).not.toContain(v);
    expect(out.text).toContain('eu-west-1');
  });

  it('a NuGet ClearTextPassword', () => {
    const v = chars(ALNUM, 14);
    expect(leaks(`<packageSourceCredentials><feed><add key="ClearTextPassword" value="${v}" /></feed>`, v)).toBe(false);
  });
});

function uuid(): string {
  const h = chars(HEX, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

describe('value gates that keep random keys', () => {
  it('keeps ≥ 99 % of random 32-hex and 16-character keys assigned to a key name', () => {
    let leaked = 0;
    for (let i = 0; i < 500; i++) {
      const hex = chars(HEX, 32);
      const short = chars(ALNUM, 16);
      if (leaks(`SERVICE_API_KEY=${hex}`, hex)) leaked++;
      if (leaks(`service_token: "${short}"`, short)) leaked++;
    }
    expect(leaked / 1000).toBeLessThanOrEqual(0.01);
  });

  it('keeps UUID-shaped secrets, all-digit client IDs, three-part dotted tokens and long quoted values', () => {
    const id = uuid();
    expect(leaks(`heroku_api_key = "${id}"`, id)).toBe(false);
    expect(leaks(`HUBSPOT_TOKEN=${id.toUpperCase()}`, id.toUpperCase())).toBe(false);
    const digits = chars('0123456789', 16);
    expect(leaks(`asanaToken = "${digits}"`, digits)).toBe(false);
    const dotted = `${chars(LOWER_ALNUM, 14)}.atlasv1.${chars(LOWER_ALNUM, 66)}`;
    expect(leaks(`TF_TOKEN=${dotted}`, dotted)).toBe(false);
    const long = chars(`${ALNUM}+/`, 700);
    expect(r.redactString(`client_secret = "${long}"`).text).not.toContain(long.slice(-16));
  });
});

describe('false-positive causes, each kept readable', () => {
  const clean = [
    // Code references taken for values.
    'password = var.db_password',
    'secret_length = X25519.secret_length',
    'db.password = config.database.password',
    // Names in key-named fields.
    'key_vault_name: web21prqodx24021',
    'LLM_SECRET_NAME = "NEXUS-GPT4-API-KEY"',
    '"kms_key_id": "555ea4a3-d53a-4412-9c66-3a7cb667b0d6"',
    // A keyword inside a word.
    'notes = "Maven - io.jsonwebtoken:jjwt-jackson-0.11.2"',
    '[DEBUG] org.slf4j.slf4j-api:jar:1.7.8:compile',
    // "password combination." eating the next word.
    'Use a password combination.\n\nR5: Regulatory--21',
    // A value crossing a newline.
    'GITHUB_API_KEY=\nDYNATRACE_API_KEY=',
    'db_password:\n  rotation_days: 30',
    // A loose Slack prefix inside a URL path.
    'https://blog.example.com/2024/xoxo-gossip-girl-recap-episode-twelve',
    'see /wiki/xoxb-setup-guide-for-new-workspaces',
    // A short lower-case name in a code reference need not be a dictionary word.
    'auth_token = clientctx.access_key',
    // Real paths stay paths.
    'token_file = /var/run/secrets/kubernetes.io/serviceaccount/token',
    'api_key_path: /etc/app/keys/api-key',
  ];
  for (const text of clean) {
    it(text.replace(/\n/g, '⏎').slice(0, 70), () => {
      expect(r.redactString(text)).toMatchObject({ text, count: 0 });
    });
  }
});

describe('secrets in prose', () => {
  it('finds values after a keyword and handed-over values', () => {
    const v = chars(ALNUM, 28);
    for (const t of [
      `calling upstream with credential ${v}`,
      `401 Unauthorized: invalid token ${v}`,
      `here is the value you asked for: ${v}`,
      `the new api key is ${v}, rotate it monthly`,
    ]) {
      expect(leaks(t, v), t).toBe(false);
    }
  });
});

describe('values that random draws of a format turned up as misses', () => {
  it('a base64 value that starts with `/` or spells a placeholder word in mixed case', () => {
    for (const [text, v] of [
      ['export PAYMENTS_CREDENTIALS="/zE60/1woPlxDESNHYDugtZq3rvQSOeOA"', '/zE60/1woPlxDESNHYDugtZq3rvQSOeOA'],
      [
        "'prod_client_secret' => '/Lvx842HR62JVn3KCgtwGx1950zNOFRekOCOCdzC/hyU',",
        '/Lvx842HR62JVn3KCgtwGx1950zNOFRekOCOCdzC/hyU',
      ],
      [
        'BACKUP_ACCESS_TOKEN ::= "xkPjiNifsFgUei7YtvRodfaKEw6NvHWOm4Uf0DZmti"',
        'xkPjiNifsFgUei7YtvRodfaKEw6NvHWOm4Uf0DZmti',
      ],
    ]) {
      expect(leaks(text, v!), text).toBe(false);
    }
    // A placeholder still reads as one.
    expect(r.redactString('api_token = "my-FAKE-token-for-tests-0123"').count).toBe(0);
  });

  it('a header value with `=` inside, and a pair whose name is in the `key` attribute', () => {
    expect(leaks('X-db-db-password: ynqBA0yspS=o7', 'ynqBA0yspS=o7')).toBe(false);
    const pair = '<add key="smtpPassword" value="3062486432950" />';
    expect(r.redactString(pair).text).toMatch(/^<add key="smtpPassword" value="\[password:[0-9a-f]{8}\]" \/>$/);
  });

  it('an IBAN with few digits, lower-case keys and random-letter passwords in sentences', () => {
    expect(leaks('refund to MT73 TOKZ 7238 3VHL IOIK UXBO HPZD DDH', 'MT73 TOKZ 7238 3VHL IOIK UXBO HPZD DDH')).toBe(
      false,
    );
    expect(leaks('invalid key is now ikbbqyg2h26l3c9b6b74yt7mbyfqfcl55', 'ikbbqyg2h26l3c9b6b74yt7mbyfqfcl55')).toBe(
      false,
    );
    expect(leaks('rotating to the password KTgrbQSSGSqk', 'KTgrbQSSGSqk')).toBe(false);
    expect(r.redactString('rotating to the password manager next week').count).toBe(0);
  });
});

describe('shapes of a Discord bot token that are not one', () => {
  it('leaves dotted names alone when the first part does not encode a user ID', () => {
    for (const text of [
      'NetworkPolicyControllerA.Reconc.HandleUpdateEventForPodsAndNodes',
      'at MetricsExporterFactoryV2.Export.ProcessIncomingBatchRequests (exporter.js:12)',
    ]) {
      expect(r.redactString(text).text).toBe(text);
    }
  });
});

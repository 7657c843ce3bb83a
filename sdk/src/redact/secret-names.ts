import type { NameStrength } from './value-shape.js';

/**
 * Names that a secret is assigned to (`DB_PASSWORD`, `stripeApiKey`, `adafruit_token`, `--auth-token`)
 * and names that only look like it (`key_vault_name`, `primaryKey`, `secret_length`, `csrf-token`).
 */

/**
 * Services whose keys have no recognisable prefix: a value assigned to a name that mentions the service
 * (`asana_client_secret`, `DISCORD_CLIENT_ID`, `twitterBearer`) is read as that service's credential.
 */
export const PROVIDER_NAMES: readonly string[] = [
  'adafruit',
  'adobe',
  'adyen',
  'airtable',
  'algolia',
  'alibaba',
  'aliyun',
  'anthropic',
  'artifactory',
  'asana',
  'atlassian',
  'auth0',
  'authress',
  'azure',
  'beamer',
  'bitbucket',
  'bittrex',
  'braintree',
  'bintray',
  'binance',
  'chargebee',
  'circleci',
  'clickhouse',
  'cloudflare',
  'cloudinary',
  'codecov',
  'cohere',
  'coinbase',
  'confluence',
  'confluent',
  'contentful',
  'databricks',
  'datadog',
  'deepseek',
  'digitalocean',
  'discord',
  'dnkey',
  'docker',
  'doppler',
  'droneci',
  'dropbox',
  'duffel',
  'dynatrace',
  'easypost',
  'elastic',
  'etsy',
  'facebook',
  'fastly',
  'figma',
  'finicity',
  'finnhub',
  'firebase',
  'flickr',
  'flutterwave',
  'freshbooks',
  'gemini',
  'github',
  'gitlab',
  'gitter',
  'gocardless',
  'grafana',
  'groq',
  'heroku',
  'hubspot',
  'huggingface',
  'intercom',
  'jfrog',
  'jira',
  'kraken',
  'kucoin',
  'langchain',
  'langfuse',
  'langsmith',
  'launchdarkly',
  'linear',
  'linkedin',
  'looker',
  'mailchimp',
  'mailgun',
  'mandrill',
  'mapbox',
  'mattermost',
  'meraki',
  'messagebird',
  'mistral',
  'mongodb',
  'netlify',
  'newrelic',
  'notion',
  'nytimes',
  'okta',
  'openai',
  'pagerduty',
  'paypal',
  'pinecone',
  'plaid',
  'postman',
  'privateai',
  'pulumi',
  'pusher',
  'rapidapi',
  'razorpay',
  'replicate',
  'rollbar',
  'salesforce',
  'segment',
  'sendbird',
  'sendgrid',
  'sendinblue',
  'sentry',
  'shopify',
  'slack',
  'snyk',
  'sonar',
  'sourcegraph',
  'square',
  'squarespace',
  'stripe',
  'sumo',
  'supabase',
  'telegram',
  'terraform',
  'travis',
  'twilio',
  'twitch',
  'twitter',
  'typeform',
  'vercel',
  'yandex',
  'zendesk',
  'zapier',
];

// Words that make a name a secret's name. `key`, `auth`, `access`, `api` and `sig` alone are weak:
// half of all maps have a `key`, so their values must also look machine-made.
// `identified` reads SQL's `IDENTIFIED BY '…'`.
const PASSWORD_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'pass',
  'pw',
  'passcode',
  'pword',
  'identified',
]);
const STRONG_WORDS = new Set([
  'secret',
  'secrets',
  'token',
  'apikey',
  'credential',
  'credentials',
  'creds',
  'cred',
  'privatekey',
  'accesskey',
  'secretkey',
  'authtoken',
  'accesstoken',
  'refreshtoken',
  'bearer',
  'signingkey',
  'masterkey',
  'encryptionkey',
  'clientsecret',
  'connectionstring',
  'connstr',
  'dsn',
  'webhook',
  'cookie',
  'otp',
  'pat',
]);
const WEAK_WORDS = new Set(['key', 'auth', 'access', 'api', 'sig', 'signature', 'private', 'login', 'hmac']);

// Last words that make the value something other than the secret: its name, id, location, size, kind.
const NOT_SECRET_LAST = new Set([
  'id',
  'ids',
  'name',
  'names',
  'label',
  'alias',
  'url',
  'uri',
  'urls',
  'endpoint',
  'host',
  'hostname',
  'domain',
  'path',
  'file',
  'filename',
  'dir',
  'directory',
  'location',
  'region',
  'zone',
  'length',
  'len',
  'size',
  'count',
  'bits',
  'version',
  'ver',
  'type',
  'types',
  'kind',
  'format',
  'algorithm',
  'algo',
  'alg',
  'mode',
  'scheme',
  'prefix',
  'suffix',
  'field',
  'fields',
  'param',
  'header',
  'column',
  'index',
  'idx',
  'enabled',
  'enable',
  'disabled',
  'required',
  'optional',
  'expiry',
  'expires',
  'expiration',
  'expire',
  'ttl',
  'timeout',
  'lifetime',
  'duration',
  'age',
  'description',
  'desc',
  'hint',
  'help',
  'placeholder',
  'pattern',
  'regex',
  'policy',
  'policies',
  'scope',
  'scopes',
  'issuer',
  'audience',
  'provider',
  'providers',
  'store',
  'vault',
  'manager',
  'class',
  'ref',
  'arn',
  'env',
  'var',
  'variable',
  'source',
  'location',
  'status',
  'state',
  'error',
  'errors',
  'message',
  'msg',
  'method',
  'flow',
  'grant',
  'usage',
  'limit',
  'limits',
  'rate',
  'policy',
  'rotation',
  'strength',
  'complexity',
  'rules',
  'rule',
  'hash',
  'digest',
  'fingerprint',
  'checksum',
  'chksum',
  'md5',
  'sha',
  'sha1',
  'sha256',
  'event',
  'events',
  'handler',
  'callback',
  'listener',
  'map',
  'mapping',
  'selector',
  'pressed',
  'press',
  'down',
  'up',
  'left',
  'right',
  'pair',
  'ring',
  'chain',
  'board',
  'word',
  'words',
  'frame',
  'mesh',
  'stone',
  'tab',
  'by',
  'at',
  'on',
  'of',
  'to',
  'count',
  'number',
  'num',
  'max',
  'min',
  'lookup',
  'input',
  'field',
  'prompt',
  'reset',
  'changed',
  'confirm',
  'confirmation',
  'visible',
  'hidden',
  'toggle',
  'strategy',
  'storage',
  'cache',
  'key',
]);

// First words that turn the name into something public or structural.
const NOT_SECRET_FIRST = new Set([
  'public',
  'pub',
  'primary',
  'foreign',
  'unique',
  'sort',
  'partition',
  'bucket',
  'schema',
  'sequence',
  'natural',
  'composite',
  'hot',
  'idx',
  'csrf',
  'xsrf',
  'is',
  'has',
  'use',
  'uses',
  'with',
  'without',
  'no',
  'enable',
  'disable',
  'show',
  'hide',
  'max',
  'min',
  'num',
  'total',
  'input',
  'output',
  'random',
  'cache',
  'idempotency',
  'dedupe',
  'dedup',
  'lookup',
  'next',
  'page',
  'cursor',
  'continuation',
  'sync',
  'pagination',
  'issuer',
  'map',
  'object',
  'i18n',
  'translation',
  'message',
  'react',
]);

// Whole words that contain a keyword but mean something else.
const NOT_SECRET_WORDS =
  /^(?:keywords?|keyframes?|keyboard|keystroke|keypress|keydown|keyup|keycode|keymap|keypair|keyring|keychain|keystore|keytab|keyset|keyspace|keying|keyed|keys|monkey|donkey|turkey|hockey|jockey|whiskey|turnkey|passage|passenger|passive|passport|compass|bypass|passthrough|passthru|passes|passed|passing|author|authors|authored|authority|authorize|authorized|authorization|authorizer|authenticate|authenticated|authentication|authenticator|authn|authz|accessor|accessible|accessibility|accessed|accesses|accessing|tokens|tokenize|tokenizer|tokenized|tokenization|jsonwebtoken|secretary|secretion|signatures|signal|signals|signed|signer|signing|apis|apiversion|rapid|capital|privacy|private_?network|credentialsid|cookies?policy|signup|signin|login_?url|logout)$/i;

/** Words of a name, lower-cased: `AWS_SECRET_ACCESS_KEY`, `awsSecretAccessKey`, `aws.secret-key` → [aws, secret, access, key]. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

const PROVIDER_SET = new Set(PROVIDER_NAMES);
// Compound words: `apikey`, `authtoken`, `dbpassword`, `githubtoken`, `clientsecret`.
const COMPOUND_TAIL =
  /(?:password|passwd|passphrase|secret|token|apikey|accesskey|secretkey|privatekey|credentials?|signingkey|masterkey)$/;

export interface NameClass {
  strength: NameStrength;
  /** `password` for password names, else `generic_secret`. */
  kind: string;
}

/**
 * Classifies a name a value is assigned to; undefined when the name does not mark a secret. The
 * name's last word decides what the value is (`secret_length` is a length, `api_key_id` an id).
 */
// Names repeat (a document's keys, a codebase's variables): classify each once.
const nameCache = new Map<string, NameClass | null>();

export function classifyName(name: string): NameClass | undefined {
  const hit = nameCache.get(name);
  if (hit !== undefined) return hit ?? undefined;
  const cls = classifyUncached(name);
  if (nameCache.size >= 20_000) nameCache.clear();
  nameCache.set(name, cls ?? null);
  return cls;
}

function classifyUncached(name: string): NameClass | undefined {
  if (name.length === 0 || name.length > 80) return undefined;
  const words = nameWords(name);
  if (words.length === 0) return undefined;
  const last = words[words.length - 1]!;
  const first = words[0]!;
  // An Azure Key Vault (`key_vault_name`, `keyVaultToStoreSecrets`) is a resource, not a key.
  if (first === 'key' && words[1] === 'vault') return undefined;
  if (words.length > 1 && NOT_SECRET_LAST.has(last) && last !== 'key') return undefined;
  if (NOT_SECRET_FIRST.has(first) && words.length > 1) return undefined;
  if (words.some((w) => NOT_SECRET_WORDS.test(w)) && !words.some((w) => STRONG_WORDS.has(w) || PASSWORD_WORDS.has(w)))
    return undefined;
  // `key` last but preceded by a structural word: `primary_key`, `sort_key`, `cache_key`, `i18n_key`.
  let strength: NameStrength | undefined;
  let kind = 'generic_secret';
  for (const w of words) {
    if (PASSWORD_WORDS.has(w) || /^(?:\w*password|\w*passwd|\w*passphrase)$/.test(w)) {
      strength = 'password';
      kind = 'password';
      break;
    }
  }
  if (strength === undefined) {
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      // `private_key`, `api-key`, `client.secret` are one word split in two.
      const pair = i + 1 < words.length ? w + words[i + 1] : '';
      if (STRONG_WORDS.has(w) || STRONG_WORDS.has(pair) || (COMPOUND_TAIL.test(w) && !NOT_SECRET_WORDS.test(w))) {
        strength = 'strong';
        break;
      }
    }
  }
  if (strength === undefined && words.some((w) => PROVIDER_SET.has(w) || providerPrefix(w))) strength = 'provider';
  if (strength === undefined && words.some((w) => WEAK_WORDS.has(w))) strength = 'weak';
  if (strength === undefined) return undefined;
  // `xxx_key` where the word before `key` is structural: a lookup key, not a credential.
  if (last === 'key' && words.length > 1 && NOT_SECRET_FIRST.has(words[words.length - 2]!)) return undefined;
  if (last === 'key' && words.length > 1 && NOT_SECRET_LAST.has(words[words.length - 2]!) && strength === 'weak')
    return undefined;
  return { strength, kind };
}

function providerPrefix(w: string): boolean {
  // `stripeApiKey` splits into words, but `STRIPEKEY` or `twittersecret` does not.
  if (w.length < 6) return false;
  for (const p of PROVIDER_NAMES) if (w.startsWith(p) && w.length > p.length) return true;
  return false;
}

/**
 * Whether a name says its value is something other than a secret (`request_id`, `sha256`, `nonce`,
 * `public_key`, `image_data`): used where any name may carry a random-looking secret.
 */
export function namesSomethingElse(name: string): boolean {
  const words = nameWords(name);
  if (words.length === 0) return true;
  const last = words[words.length - 1]!;
  if (NOT_SECRET_LAST.has(last) && last !== 'key') return true;
  if (words.length > 1 && NOT_SECRET_FIRST.has(words[0]!)) return true;
  return words.some((w) => OTHER_VALUE_WORDS.has(w));
}

// Names of values that look random by nature.
const OTHER_VALUE_WORDS = new Set([
  'nonce',
  'salt',
  'iv',
  'etag',
  'uuid',
  'guid',
  'integrity',
  'sri',
  'checksum',
  'digest',
  'hash',
  'sha',
  'sha1',
  'sha256',
  'sha512',
  'md5',
  'commit',
  'rev',
  'revision',
  'srcrev',
  'image',
  'img',
  'data',
  'content',
  'body',
  'payload',
  'thumbnail',
  'icon',
  'logo',
  'avatar',
  'picture',
  'photo',
  'font',
  'cursor',
  'continuation',
  'page',
  'next',
  'state',
  'request',
  'trace',
  'span',
  'correlation',
  'etag',
  'version',
  'build',
  'public',
  'pub',
  'csrf',
  'xsrf',
]);

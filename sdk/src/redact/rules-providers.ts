import { shannonEntropy } from './checks.js';
import type { Detector } from './types.js';

/**
 * Provider credentials recognisable on their own by a published prefix and body shape (prefixes,
 * lengths and alphabets as the providers issue them, cross-checked against public scanners' rule
 * sets). Every pattern starts with one of its `prefixes`, which is how the scanner's single gate
 * pass decides which rules to run. Bodies are bounded on the right so a key is never the prefix of
 * a longer identifier.
 */

const entropyAtLeast = (bits: number) => (v: string) => shannonEntropy(v) >= bits;
// A random body has a digit and letters; a run of one character is a placeholder (`gsk_xxxx…`).
const notFiller = (v: string) => !/(.)\1{7}/.test(v.slice(4)) && /\d/.test(v) && /[A-Za-z]/.test(v);

function p(
  rule: string,
  kind: string,
  prefixes: string[],
  pattern: RegExp,
  validate?: (v: string, text: string, start: number) => boolean,
): Detector {
  return validate === undefined
    ? { rule, kind, priority: 3, prefixes, pattern }
    : { rule, kind, priority: 3, prefixes, pattern, validate };
}

export const PREFIXED_PROVIDER_DETECTORS: readonly Detector[] = [
  p(
    '1password-secret-key',
    'onepassword_secret_key',
    ['A3-'],
    /\bA3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}\b/g,
  ),
  p('1password-service-token', 'onepassword_token', ['ops_eyJ'], /\bops_eyJ[A-Za-z0-9+/]{250,}={0,3}/g),
  p('adobe-client-secret', 'adobe_secret', ['p8e-'], /\bp8e-[A-Za-z0-9]{32}(?![A-Za-z0-9])/g, notFiller),
  p('adyen-api-key', 'adyen_key', ['AQE'], /\bAQE[a-z0-9]{5,}\.[A-Za-z0-9_=-]{50,80}(?![\w=-])/g),
  p(
    'age-secret-key',
    'age_secret_key',
    ['AGE-SECRET-KEY-1'],
    /AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}/g,
  ),
  p('airtable-pat', 'airtable_token', ['pat'], /\bpat[A-Za-z0-9]{14}\.[a-f0-9]{64}\b/g),
  p('alibaba-access-key-id', 'alibaba_key', ['LTAI'], /\bLTAI[A-Za-z0-9]{20}(?![A-Za-z0-9])/g, notFiller),
  p('artifactory-api-key', 'artifactory_key', ['AKCp'], /\bAKCp[A-Za-z0-9]{69}\b/g),
  p('artifactory-reference-token', 'artifactory_token', ['cmVmd'], /\bcmVmd[A-Za-z0-9]{59}\b/g),
  p('atlassian-api-token', 'atlassian_token', ['ATATT3'], /\bATATT3[A-Za-z0-9_\-=]{150,220}(?![\w=-])/g),
  p(
    'authress-access-key',
    'authress_key',
    ['sc_', 'ext_', 'scauth_', 'authress_'],
    /\b(?:sc|ext|scauth|authress)_[a-z0-9]{5,30}\.[a-z0-9]{4,6}\.acc[_-][a-z0-9-]{10,32}\.[a-z0-9+/_=-]{30,120}(?![\w+/=-])/gi,
  ),
  p('aws-bedrock-api-key', 'aws_key', ['ABSK'], /\bABSK[A-Za-z0-9+/]{109,269}={0,2}/g),
  p('aws-bedrock-short-term-key', 'aws_key', ['bedrock-api-key-'], /\bbedrock-api-key-[A-Za-z0-9+/=%]{40,2000}/g),
  p('bitbucket-app-password', 'bitbucket_token', ['ATBB'], /\bATBB[A-Za-z0-9]{28,40}\b/g, notFiller),
  p('buildkite-token', 'buildkite_token', ['bkua_'], /\bbkua_[a-f0-9]{40}\b/g, notFiller),
  p(
    'braintree-token',
    'braintree_token',
    ['access_token$', 'production_', 'sandbox_'],
    /\baccess_token\$(?:production|sandbox)\$[a-z0-9]{16}(?:\$[a-f0-9]{32})?\b|\b(?:production|sandbox)_[a-z0-9]{8}_[a-z0-9]{16}\b/g,
    (v) => /\d/.test(v),
  ),
  p('castai-api-key', 'castai_key', ['castai_v1_'], /\bcastai_v1_[A-Za-z0-9]{64}_[A-Za-z0-9]{8}\b/g),
  p('chief-tools-token', 'chieftools_token', ['ctp_', 'cto_', 'ctr_'], /\bct[por]_[A-Za-z0-9]{30,248}\b/g, notFiller),
  p('clickhouse-cloud-secret', 'clickhouse_secret', ['4b1d'], /\b4b1d[A-Za-z0-9]{38}\b/g, entropyAtLeast(3)),
  p('clojars-token', 'clojars_token', ['CLOJARS_'], /\bCLOJARS_[A-Za-z0-9]{60}\b/g),
  p('cloudflare-origin-ca-key', 'cloudflare_key', ['v1.0-'], /\bv1\.0-[a-f0-9]{24}-[a-f0-9]{146}\b/g),
  p('contentful-token', 'contentful_token', ['CFPAT-'], /\bCFPAT-[A-Za-z0-9_-]{43}(?![\w-])/g, notFiller),
  p('databricks-token', 'databricks_token', ['dapi'], /\bdapi[a-f0-9]{32}(?:-\d)?\b/g),
  p(
    'datafactory-shir-key',
    'azure_key',
    ['IR@'],
    /\bIR@[0-9a-zA-Z-]{36}@[^@\s"']{0,200}@[0-9a-zA-Z\-=]*@[A-Za-z0-9+/=]{44}/g,
  ),
  p(
    'discord-webhook',
    'discord_webhook',
    ['discord.com/api/webhooks/', 'discordapp.com/api/webhooks/'],
    /https?:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d{5,30}\/[A-Za-z0-9_-]{40,100}/g,
  ),
  p(
    'docker-hub-token',
    'docker_token',
    ['dckr_pat_', 'dckr_oat_'],
    /\bdckr_(?:pat|oat)_[A-Za-z0-9_-]{20,60}(?![\w-])/g,
    notFiller,
  ),
  p('django-secret-key', 'django_secret', ['django-insecure-'], /\bdjango-insecure-[^\s"'`]{8,250}/g),
  p('doppler-token', 'doppler_token', ['dp.'], /\bdp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9_-]{40,44}(?![\w-])/g),
  p('duffel-token', 'duffel_token', ['duffel_'], /\bduffel_(?:test|live)_[A-Za-z0-9_\-=]{43}(?![\w=-])/g),
  p('dynatrace-token', 'dynatrace_token', ['dt0c01.'], /\bdt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}\b/g),
  p('dropbox-short-lived-token', 'dropbox_token', ['sl.'], /\bsl\.[A-Za-z0-9\-=_]{130,160}(?![\w=-])/g),
  p(
    'dropbox-long-lived-token',
    'dropbox_token',
    ['AAAAAAAAAA'],
    /\b[A-Za-z0-9]{11}AAAAAAAAAA[A-Za-z0-9\-_=]{43}(?![\w=-])/g,
  ),
  p('easypost-token', 'easypost_token', ['EZAK', 'EZTK'], /\bEZ[AT]K[A-Za-z0-9]{54}\b/g),
  p(
    'facebook-page-token',
    'facebook_token',
    ['EAAM', 'EAAC', 'EAAG', 'EAAB'],
    /\bEAA[MCGB][A-Za-z0-9]{80,}\b/g,
    notFiller,
  ),
  p('facebook-app-token', 'facebook_token', ['|', '%7C'], /\b\d{15,16}(?:\||%7C)[0-9A-Za-z_-]{27,40}\b/g, (v) =>
    /[A-Za-z]/.test(v.slice(v.indexOf('|') + 1)),
  ),
  p('figma-token', 'figma_token', ['figd_'], /\bfigd_[A-Za-z0-9_-]{40,60}(?![\w-])/g, notFiller),
  p(
    'flutterwave-key',
    'flutterwave_key',
    ['FLWSECK', 'FLWPUBK'],
    /\bFLW(?:SECK|PUBK)(?:_TEST)?-[a-hA-H0-9]{12,32}(?:-X)?\b/g,
  ),
  p(
    'flyio-token',
    'flyio_token',
    ['fo1_', 'fm1a_', 'fm1r_', 'fm2_'],
    /\b(?:fo1_[\w-]{43}|fm1[ar]_[A-Za-z0-9+/]{100,}={0,3}|fm2_[A-Za-z0-9+/]{100,}={0,3})/g,
  ),
  p('frameio-token', 'frameio_token', ['fio-u-'], /\bfio-u-[A-Za-z0-9\-_=]{64}(?![\w=-])/g),
  p('gitlab-runner-registration-token', 'gitlab_token', ['GR1348941'], /\bGR1348941[\w-]{20}(?![\w-])/g),
  p('gitlab-session-cookie', 'gitlab_token', ['_gitlab_session='], /_gitlab_session=[0-9a-z]{32}\b/g),
  p('grafana-api-key', 'grafana_key', ['eyJrIjoi'], /\beyJrIjoi[A-Za-z0-9]{70,400}={0,3}/g),
  p('grafana-cloud-token', 'grafana_token', ['glc_'], /\bglc_[A-Za-z0-9+/]{32,400}={0,3}/g, notFiller),
  p('grafana-service-account-token', 'grafana_token', ['glsa_'], /\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}\b/g),
  p('groq-api-key', 'groq_key', ['gsk_'], /\bgsk_[A-Za-z0-9]{48,56}\b/g, notFiller),
  p(
    'harness-token',
    'harness_token',
    ['pat.', 'sat.'],
    /\b(?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}\b/g,
  ),
  p(
    'terraform-cloud-token',
    'terraform_token',
    ['.atlasv1.'],
    /\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9\-_=]{60,70}(?![\w=-])/g,
  ),
  p('heroku-api-key', 'heroku_key', ['HRKU-'], /\bHRKU-AA[0-9A-Za-z_-]{58}(?![\w-])/g),
  p('huggingface-org-token', 'huggingface_token', ['api_org_'], /\bapi_org_[A-Za-z]{34}\b/g, entropyAtLeast(3)),
  p('infracost-token', 'infracost_token', ['ico-'], /\bico-[A-Za-z0-9]{32}\b/g, notFiller),
  p('intra42-client-secret', 'intra42_secret', ['s-s4t2'], /\bs-s4t2(?:ud|af)-[a-f0-9]{64}\b/gi),
  p('langsmith-api-key', 'langsmith_key', ['lsv2_'], /\blsv2_(?:pt|sk)_[A-Za-z0-9]{32}_[A-Za-z0-9]{10}\b/g),
  p(
    'langfuse-secret-key',
    'langfuse_key',
    ['sk-lf-'],
    /\bsk-lf-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g,
  ),
  p('linear-api-key', 'linear_key', ['lin_api_'], /\blin_api_[A-Za-z0-9]{40}\b/g),
  p('lob-api-key', 'lob_key', ['live_', 'test_'], /\b(?:live|test)_[a-f0-9]{35}\b/g),
  p(
    'payment-client-key',
    'payment_key',
    ['live_', 'test_'],
    /\b(?:live|test)_[A-Za-z0-9]{30,40}\b/g,
    (v) => /\d/.test(v) && /[A-Z]/.test(v) && /[a-z]/.test(v) && shannonEntropy(v) >= 3.5,
  ),
  p('mailchimp-api-key', 'mailchimp_key', ['-us'], /\b[a-f0-9]{32}-us\d{1,2}\b/g),
  p('mailgun-api-key', 'mailgun_key', ['key-'], /\bkey-[a-f0-9]{32}\b/g, entropyAtLeast(3)),
  p('mapbox-token', 'mapbox_token', ['pk.', 'sk.', 'tk.'], /\b[pst]k\.eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/g),
  p('maxmind-license-key', 'maxmind_key', ['_mmk'], /\b[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk\b/g),
  p(
    'microsoft-teams-webhook',
    'teams_webhook',
    ['.webhook.office.com/'],
    /https:\/\/[a-z0-9-]+\.webhook\.office\.com\/webhookb2\/[0-9a-f-]{36}@[0-9a-f-]{36}\/IncomingWebhook\/[A-Za-z0-9]{32}\/[0-9a-f-]{36}(?:\/[A-Za-z0-9_-]{20,80})?/gi,
  ),
  p('newrelic-key', 'newrelic_key', ['NRAK-', 'NRII-', 'NRJS-', 'NRAA-'], /\bNR(?:AK|II|JS|AA)-[A-Za-z0-9-]{19,32}\b/g),
  p('notion-token', 'notion_token', ['ntn_'], /\bntn_\d{11}[A-Za-z0-9]{35}\b/g),
  p('notion-integration-secret', 'notion_token', ['secret_'], /\bsecret_[A-Za-z0-9]{43}\b/g, notFiller),
  p('nvidia-api-key', 'nvidia_key', ['nvapi-'], /\bnvapi-[A-Za-z0-9_-]{50,80}(?![\w-])/g, notFiller),
  p(
    'octopus-deploy-key',
    'octopus_key',
    ['API-'],
    /\bAPI-[A-Z0-9]{26}\b/g,
    (v) => /\d/.test(v) && /[A-Z].*[A-Z]/.test(v.slice(4)),
  ),
  p('openrouter-api-key', 'openrouter_key', ['sk-or-v1-'], /\bsk-or-v1-[a-f0-9]{64}\b/g),
  p('openshift-token', 'openshift_token', ['sha256~'], /\bsha256~[\w-]{43}(?![\w-])/g),
  p('perplexity-api-key', 'perplexity_key', ['pplx-'], /\bpplx-[A-Za-z0-9]{48}\b/g),
  p('pinecone-api-key', 'pinecone_key', ['pcsk_'], /\bpcsk_[A-Za-z0-9_]{50,100}\b/g),
  p('planetscale-token', 'planetscale_token', ['pscale_'], /\bpscale_(?:tkn|oauth|pw)_[\w=.-]{32,64}(?![\w=.-])/g),
  p('postman-api-key', 'postman_key', ['PMAK-'], /\bPMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}\b/g),
  p('prefect-api-key', 'prefect_key', ['pnu_'], /\bpnu_[A-Za-z0-9]{36}\b/g),
  p('pulumi-token', 'pulumi_token', ['pul-'], /\bpul-[a-f0-9]{40}\b/g),
  p('readme-api-key', 'readme_key', ['rdme_'], /\brdme_[a-z0-9]{70}\b/g),
  p('replicate-token', 'replicate_token', ['r8_'], /\br8_[A-Za-z0-9]{37}\b/g, notFiller),
  p('rubygems-token', 'rubygems_token', ['rubygems_'], /\brubygems_[a-f0-9]{48}\b/g),
  p('scalingo-token', 'scalingo_token', ['tk-us-'], /\btk-us-[\w-]{48}(?![\w-])/g),
  p(
    'sendinblue-key',
    'sendinblue_key',
    ['xkeysib-', 'xsmtpsib-'],
    /\bx(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}\b/g,
  ),
  p(
    'sentry-token',
    'sentry_token',
    ['sntrys_', 'sntryu_'],
    /\bsntryu_[a-f0-9]{64}\b|\bsntrys_eyJ[A-Za-z0-9+/=_]{40,600}/g,
  ),
  p(
    'settlemint-token',
    'settlemint_token',
    ['sm_aat_', 'sm_pat_', 'sm_sat_'],
    /\bsm_(?:aat|pat|sat)_[A-Za-z0-9]{16}\b/g,
  ),
  p('shippo-token', 'shippo_token', ['shippo_'], /\bshippo_(?:live|test)_[a-fA-F0-9]{40}\b/g),
  p('sonar-token', 'sonar_token', ['squ_', 'sqp_', 'sqa_'], /\bsq[upa]_[a-f0-9]{40}\b/g),
  p('sourcegraph-token', 'sourcegraph_token', ['sgp_'], /\bsgp_(?:(?:[a-fA-F0-9]{16}|local)_)?[a-fA-F0-9]{40}\b/g),
  p(
    'square-token',
    'square_token',
    ['EAAA', 'sq0atp-', 'sq0csp-', 'sq0idp-'],
    /\b(?:EAAA[\w-]{22,60}|sq0atp-[\w-]{22,60}|sq0csp-[\w-]{43})(?![\w-])/g,
    notFiller,
  ),
  p(
    'supabase-token',
    'supabase_token',
    ['sbp_', 'sb_secret_'],
    /\bsbp_(?:oauth_)?[a-f0-9]{40}\b|\bsb_secret_[A-Za-z0-9_-]{20,80}(?![\w-])/g,
    notFiller,
  ),
  p(
    'tailscale-key',
    'tailscale_key',
    ['tskey-'],
    /\btskey-(?:auth|api|client|scim|webhook)-[A-Za-z0-9]{6,40}-[A-Za-z0-9]{16,80}\b/g,
    notFiller,
  ),
  p('telegram-bot-token', 'telegram_token', [':A'], /\b\d{8,10}:A[A-Za-z0-9_-]{34}(?![\w-])/g),
  p('twitter-bearer-token', 'twitter_token', ['AAAAAAAAAAAAAAAAAAAAA'], /\bA{22}[A-Za-z0-9%]{80,100}\b/g),
  p('typeform-token', 'typeform_token', ['tfp_'], /\btfp_[A-Za-z0-9\-_.=]{59}(?![\w.=-])/g),
  p('vault-token', 'vault_token', ['hvs.', 'hvb.', 'hvr.'], /\bhv[sbr]\.[\w-]{90,300}(?![\w-])/g),
  p('xai-api-key', 'xai_key', ['xai-'], /\bxai-[A-Za-z0-9]{80}\b/g),
  p('yandex-api-key', 'yandex_key', ['AQVN'], /\bAQVN[A-Za-z0-9_-]{35,38}(?![\w-])/g),
  p('yandex-token', 'yandex_token', ['t1.'], /\bt1\.[A-Za-z0-9_-]+=*\.[A-Za-z0-9_-]{86}=*/g),
];

/**
 * A Discord bot token: the bot's user ID (a 17–20 digit snowflake) base64url-encoded, a 6-character
 * timestamp and a 27–38 character HMAC, joined by dots. It has no literal prefix (the first segment
 * starts with M, N or O because it encodes a digit), so the scanner runs it on values with two dots
 * and room for one; decoding the first segment to a snowflake is what keeps other dotted words out.
 */
export const DISCORD_BOT_TOKEN: Detector = {
  rule: 'discord-bot-token',
  kind: 'discord_token',
  priority: 3,
  pattern: /(?<![\w-])[MNO][A-Za-z0-9_-]{22,26}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}(?![\w-])/g,
  validate: (v) => /^[1-9]\d{16,19}$/.test(Buffer.from(v.slice(0, v.indexOf('.')), 'base64url').toString('latin1')),
};

/** Shortest Discord bot token: 23 + 1 + 6 + 1 + 27 characters. */
export const DISCORD_BOT_TOKEN_MIN_LENGTH = 58;

import { describe, expect, it } from 'vitest';
import { findAssignments, findHighEntropyAssignments } from './assignments.js';

function found(text: string): string[] {
  const out: string[] = [];
  findAssignments(text, (h) => out.push(text.slice(h.start, h.end)));
  return out;
}

const SECRET = 'q7Rk2mXv9LpT4wZc8NbY3hJd';

describe('findAssignments: syntaxes', () => {
  const cases: [string, string][] = [
    ['ini quoted', `adafruitToken="${SECRET}"`],
    ['ini spaced', `adafruitToken = "${SECRET}"`],
    ['ini bare', `adafruitToken=${SECRET}`],
    ['json', `{\n    "adafruit_token": "${SECRET}"\n}`],
    ['json escaped', `{\\"adafruit_token\\": \\"${SECRET}\\"}`],
    ['env inside json string', `{"config.ini": "ADAFRUIT_TOKEN=${SECRET}\\nBACKUP_ENABLED=true"}`],
    ['xml element', `<adafruitToken>${SECRET}</adafruitToken>`],
    ['xml element multiline', `<adafruitToken>\n    ${SECRET}\n</adafruitToken>`],
    ['xml attribute', `<entry name="adafruitToken" value="${SECRET}" />`],
    ['xml add key', `<add key="ClearTextPassword" value="${SECRET}" />`],
    ['xml entry element', `<entry key="apiToken">${SECRET}</entry>`],
    ['yaml bare', `adafruit_token: ${SECRET}`],
    ['yaml single', `adafruit_token: '${SECRET}'`],
    ['yaml double', `adafruit_token: "${SECRET}"`],
    ['yaml block', `config:\n  adafruit_token: |\n    ${SECRET}\n  other: 1`],
    ['yaml tag', `high_entropy_secret: !!binary ${SECRET}`],
    ['k8s env pair', `env:\n  - name: DB_PASSWORD\n    value: "${SECRET}"`],
    ['json name/value pair', `{"name": "API_TOKEN", "value": "${SECRET}"}`],
    ['c#', `string adafruitToken = "${SECRET}";`],
    ['go var', `var adafruitToken string = "${SECRET}"`],
    ['go short', `adafruitToken := "${SECRET}"`],
    ['go backticks', `adafruitToken := \`${SECRET}\``],
    ['java', `String adafruitToken = "${SECRET}";`],
    ['kotlin typed', `var adafruitToken: String = "${SECRET}"`],
    ['python annotated', `adafruit_token: str = '${SECRET}'`],
    ['php concat', `$adafruitToken .= "${SECRET}"`],
    ['php array', `'adafruit_token' => '${SECRET}',`],
    ['php null coalesce', `$adafruitToken ??= "${SECRET}"`],
    ['python single', `adafruitToken = '${SECRET}'`],
    ['set property', `System.setProperty("ADAFRUIT_TOKEN", "${SECRET}")`],
    ['environ index', `os.environ["ADAFRUIT_TOKEN"] = "${SECRET}"`],
    ['dict index', `some_dict["secret"] = "${SECRET}"`],
    ['logstash', `  "adafruitToken" => "${SECRET}"`],
    ['make recursive', `ADAFRUIT_TOKEN = "${SECRET}"`],
    ['make simple', `ADAFRUIT_TOKEN := "${SECRET}"`],
    ['make shell', `ADAFRUIT_TOKEN ::= "${SECRET}"`],
    ['make evaluated', `ADAFRUIT_TOKEN :::= "${SECRET}"`],
    ['make conditional', `ADAFRUIT_TOKEN ?= "${SECRET}"`],
    ['make append', `ADAFRUIT_TOKEN += "${SECRET}"`],
    ['objective-c', `apiKey = @"${SECRET}"`],
    ['http header', `X-Api-Key: ${SECRET}`],
    ['cli flag', `deploy --auth-token ${SECRET} --verbose`],
    ['cli flag =', `deploy --auth-token=${SECRET}`],
    ['dockerfile env', `ENV API_TOKEN ${SECRET}`],
    ['sql identified by', `CREATE USER app IDENTIFIED BY '${SECRET}';`],
    ['keyword then quoted', `PASSWORD '${SECRET}'`],
    ['query string', `https://api.example.com/v1?api_key=${SECRET}&q=1`],
    ['export', `export GITHUB_TOKEN=${SECRET}`],
    ['toml', `token = "${SECRET}"`],
    ['comparison', `if password == "${SECRET}":`],
    ['ruby symbol', `:api_key => '${SECRET}'`],
  ];
  for (const [name, text] of cases) {
    it(name, () => {
      expect(found(text)).toEqual([SECRET]);
    });
  }
});

describe('findAssignments: values', () => {
  it('reads a value that ends in base64 padding after `:` as the value, not as a type annotation', () => {
    expect(found('the new passphrase: SrUGWQF8x_=.')).toEqual(['SrUGWQF8x_=']);
    expect(found('token: Ab3dEfGhIjKlMn0pQr=')).toEqual(['Ab3dEfGhIjKlMn0pQr=']);
    expect(found(`adafruit_token: str = '${SECRET}'`)).toEqual([SECRET]);
  });

  it('accepts an all-digit client secret, a UUID under a token name and a long quoted value', () => {
    expect(found('asanaToken = "1234598760432187"')).toEqual(['1234598760432187']);
    expect(found('api_token: "dafa7817-e246-48f3-91a7-e87653d587b8"')).toEqual([
      'dafa7817-e246-48f3-91a7-e87653d587b8',
    ]);
    let seed = 7;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const long = Array.from({ length: 600 }, () => {
      seed = (seed * 48271) % 2147483647;
      return alphabet[seed % 64];
    }).join('');
    expect(found(`client_secret = "${long}"`)).toEqual([long]);
  });

  it('accepts human passwords with symbols', () => {
    expect(found('db_password = "Lj2^5O%xi214"')).toEqual(['Lj2^5O%xi214']);
    expect(found('password = 12345678901234')).toEqual(['12345678901234']);
  });

  it('does not cross a line or take an empty value', () => {
    expect(found('GITHUB_API_KEY=\nDYNATRACE_API_KEY=')).toEqual([]);
    expect(found('password:\n  next: value123')).toEqual([]);
  });
});

describe('findAssignments: names and values that are not secrets', () => {
  const negatives = [
    'report_access_id: e8e4df51-2054-49b0-ab1c-516ac95c691d',
    'accessibilityYesOptionId = "0736f5ef-7e88-499a-80cc-90c85d2a5180"',
    '"accessor":"rA1wk0Y45YCufyfq",',
    'COMMUNICATION_API_VERSION=rc0.13.0_20230412_0712-SNAPSHOT',
    'MantleAPI_version=9a038989604e8da62ecddbe2094b16ce1b778be1',
    'event-bus-message-api:rc0.15.0_20231217_1420-SNAPSHOT',
    'apiUrl=apigee.corpint.com',
    'author = "james.fake@ymail.com",',
    'credentialsId: "ff083f76-7804-4ef1-80e4-fe975bb9141b"',
    'CREDENTIALS_ID = "K8S_CRED"',
    'keyword: "Befaehigung_P2"',
    'public_key = "9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit"',
    'primaryKey=xK9mQ2vL7nR4tW8zB3cF6hJ1pS5dG0aE',
    'key_down_event=xK9mQ2vL7nR4tW8zB3cF6hJ1pS5dG0aE',
    'issuerKeyHash=xK9mQ2vL7nR4tW8zB3cF6hJ1pS5dG0aE',
    '"bucket_key": "SalesResults-1.2"',
    "schemaKey = 'DOC_Vector_5_32'",
    'app.keystore.file=env/cert.p12',
    '"key_name": "prod5zyxlmy-cmk",',
    '"kms_key_id": "555ea4a3-d53a-4412-9c66-3a7cb667b0d6",',
    '"key_vault_name": "web21prqodx24021",',
    'keyVaultToStoreSecrets: cmp2-qat-1208358310',
    'const validKeyChars = "0123456789abcdefghijklmnopqrstuvwxyz_-."',
    'const keyStr = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"',
    'key_length = XSalsa20.key_length',
    'KeyPair = X25519.KeyPair',
    'keyPressed = kVK_Return.u16',
    'o.keySelector=n,o.haKey=!1,',
    'PuttyPassword=0',
    'LLM_SECRET_NAME = "NEXUS-GPT4-API-KEY"',
    'secret_length = X25519.secret_length',
    'JFROG_SECRET = $(cat /run/secrets/jfrog_secret)',
    "access_token_url='https://github.com/login/oauth/access_token',",
    'publicToken = "9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit"',
    'notes = "Maven - io.jsonwebtoken:jjwt-jackson-0.11.2"',
    'csrf-token=Mj2qykJO5rELyHgezQ69nzUX0i3OH67V7+V4eUrLfpuyOuxmiW9rhROG/Whikle15syazJOkrjJa3U2AbhIvUw==',
    'snowflake.password=\njdbc.snowflake.url=',
    "import { chain_Anvil1_Key, chain_Anvil2_Key } from '../consts';",
    'theapikey := "somefakekey"',
    'my_password = foo(hey)you',
    "my_password = request.json_body['hey']",
    'my_password = True',
    'login(username=username, password=password)',
    'apiKey: this.apiKey,',
    "apiKey: fs.readFileSync('foo',",
    '$password = $input;',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template placeholder is the input under test
    'password: ${link}',
    'var.db_password',
    'password = os.environ["DB_PASSWORD"]',
    'token: "{{ .Values.token }}"',
    'api_key: <YOUR_API_KEY>',
    'max_tokens: 4096',
    'sessionKey: "user-settings-panel"',
    'auth_type: bearer',
    'token_expiry = 3600',
  ];
  for (const text of negatives) {
    it(text.replace(/\s+/g, ' ').slice(0, 60), () => {
      expect(found(text)).toEqual([]);
    });
  }
});

describe('findHighEntropyAssignments', () => {
  function high(text: string): string[] {
    const out: string[] = [];
    findHighEntropyAssignments(text, (h) => out.push(text.slice(h.start, h.end)));
    return out;
  }
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let seed = 99;
  const random = (n: number) =>
    Array.from({ length: n }, () => {
      seed = (seed * 48271) % 2147483647;
      return B64[seed % 64];
    }).join('');

  it('takes a near-random base64 value under any name', () => {
    const v = random(44);
    expect(high(`mimi=${v}`)).toEqual([v]);
    expect(high(`  ZETA_VALUE: "${v}"`)).toEqual([v]);
  });

  it('takes random values of 24 to 40 characters, not only those a fixed 4.5-bit gate lets through', () => {
    const ALNUM = B64.slice(0, 62);
    let taken = 0;
    let all = 0;
    for (let n = 24; n <= 40; n += 4) {
      for (let i = 0; i < 200; i++) {
        const v = Array.from({ length: n }, () => {
          seed = (seed * 48271) % 2147483647;
          return ALNUM[seed % 62];
        }).join('');
        if (!/[a-z]/.test(v) || !/[A-Z]/.test(v) || !/\d/.test(v)) continue;
        all++;
        if (high(`orionSetting=${v}`).includes(v)) taken++;
      }
    }
    expect(taken / all).toBeGreaterThanOrEqual(0.99);
  });

  it('leaves values whose name says what they are, hex, digests and long data alone', () => {
    const v = random(44);
    for (const t of [
      `public_key = "${v}"`,
      `request_id: ${v}`,
      'payment_intent=pi_3MtwBwLkdIwHu7ix28a3tqPa&status=ok',
      `nonce="${v}"`,
      `"integrity": "sha512-${v}"`,
      `srcrev = "${'9f8e7d6c5b4a3f2e1d0c'.repeat(2)}"`,
      `data: "${random(400)}"`,
      `note = "${'aB3'.repeat(10)}"`,
    ]) {
      expect(high(t), t).toEqual([]);
    }
  });
});

import { readFile } from 'node:fs/promises';
import { ConfigError } from '../config/config.js';
import { createSigner, type Signer } from './signing.js';

/**
 * The signer from `CASEFILE_SIGNING_KEY`: the PEM text itself, or the path of a file holding it.
 * Start-up stops with a message naming the variable when the key cannot be used.
 */
export async function loadSigner(setting: string | undefined): Promise<Signer | undefined> {
  if (setting === undefined) return undefined;
  let pem = setting;
  if (!setting.includes('-----BEGIN')) {
    try {
      pem = await readFile(setting, 'utf8');
    } catch (error) {
      throw new ConfigError(
        `CASEFILE_SIGNING_KEY (--signing-key): cannot read ${setting}: ${(error as Error).message}`,
      );
    }
  }
  try {
    return createSigner(pem);
  } catch (error) {
    throw new ConfigError(`CASEFILE_SIGNING_KEY (--signing-key): ${(error as Error).message}`);
  }
}
